// Lua's pattern matching (string.find, match, gmatch, gsub) written in Lua, a line-by-line port of
// lstrlib.c (Lua 5.4). The C matcher backtracks without running a single Lua instruction, so the
// CPU-time hook never sees it: `string.find(string.rep("a", 1e6), ".-.-b")` would hold the process
// for hours. The prelude sends a call here only when its worst case is large (see PRELUDE); in Lua
// the same search is slower but counted, and stopped at the time limit like any other loop.

export const PATTERNS = `
local byte, sub, string_format, s_find = string.byte, string.sub, string.format, string.find
local type, tostring, error, select, math_type, ipairs = type, tostring, error, select, math.type, ipairs
local concat = table.concat
local _ENV = nil

local MAXCAPTURES, MAXCCALLS = 32, 200
local CAP_UNFINISHED, CAP_POSITION = -1, -2
local ESC = 37 -- %

local function isalpha(c) return (c >= 65 and c <= 90) or (c >= 97 and c <= 122) end
local function isdigit(c) return c >= 48 and c <= 57 end
local function isspace(c) return c == 32 or (c >= 9 and c <= 13) end
local function isgraph(c) return c > 32 and c < 127 end
local function isupper(c) return c >= 65 and c <= 90 end

local CLASSES = {
  [97] = isalpha, -- a
  [99] = function(c) return c < 32 or c == 127 end, -- c
  [100] = isdigit, -- d
  [103] = isgraph, -- g
  [108] = function(c) return c >= 97 and c <= 122 end, -- l
  [112] = function(c) return isgraph(c) and not isalpha(c) and not isdigit(c) end, -- p
  [115] = isspace, -- s
  [117] = isupper, -- u
  [119] = function(c) return isalpha(c) or isdigit(c) end, -- w
  [120] = function(c) return isdigit(c) or (c >= 97 and c <= 102) or (c >= 65 and c <= 70) end, -- x
  [122] = function(c) return c == 0 end, -- z (deprecated, still in 5.4)
}

local function match_class(c, cl)
  local test = CLASSES[isupper(cl) and cl + 32 or cl]
  if not test then return cl == c end
  if isupper(cl) then return not test(c) end
  return test(c)
end

-- ms: src, src_end (one past the last byte), p, p_end, level, depth, init[], len[] (captures 1-based)

local function class_end(ms, p)
  local c = byte(ms.p, p)
  p = p + 1
  if c == ESC then
    if p >= ms.p_end then error("malformed pattern (ends with '%')", 0) end
    return p + 1
  end
  if c == 91 then -- [
    if byte(ms.p, p) == 94 then p = p + 1 end -- ^
    repeat
      if p >= ms.p_end then error("malformed pattern (missing ']')", 0) end
      local cc = byte(ms.p, p)
      p = p + 1
      if cc == ESC and p < ms.p_end then p = p + 1 end
    until byte(ms.p, p) == 93 -- ]
    return p + 1
  end
  return p
end

local function match_bracket_class(ms, c, p, ec)
  local pat = ms.p
  local sig = true
  if byte(pat, p + 1) == 94 then
    sig = false
    p = p + 1
  end
  p = p + 1
  while p < ec do
    local pc = byte(pat, p)
    if pc == ESC then
      p = p + 1
      if match_class(c, byte(pat, p)) then return sig end
    elseif byte(pat, p + 1) == 45 and p + 2 < ec then -- a-z
      p = p + 2
      if pc <= c and c <= byte(pat, p) then return sig end
    elseif pc == c then
      return sig
    end
    p = p + 1
  end
  return not sig
end

local function single_match(ms, s, p, ep)
  if s >= ms.src_end then return false end
  local c = byte(ms.src, s)
  local pc = byte(ms.p, p)
  if pc == 46 then return true end -- .
  if pc == ESC then return match_class(c, byte(ms.p, p + 1)) end
  if pc == 91 then return match_bracket_class(ms, c, p, ep - 1) end
  return pc == c
end

local match

local function match_balance(ms, s, p)
  if p >= ms.p_end - 1 then error("malformed pattern (missing arguments to '%b')", 0) end
  local src = ms.src
  if (byte(src, s) or 0) ~= byte(ms.p, p) then return nil end
  local b, e = byte(ms.p, p), byte(ms.p, p + 1)
  local cont = 1
  s = s + 1
  while s < ms.src_end do
    local c = byte(src, s)
    if c == e then
      cont = cont - 1
      if cont == 0 then return s + 1 end
    elseif c == b then
      cont = cont + 1
    end
    s = s + 1
  end
  return nil
end

local function max_expand(ms, s, p, ep)
  local i = 0
  while single_match(ms, s + i, p, ep) do i = i + 1 end
  while i >= 0 do
    local res = match(ms, s + i, ep + 1)
    if res then return res end
    i = i - 1
  end
  return nil
end

local function min_expand(ms, s, p, ep)
  while true do
    local res = match(ms, s, ep + 1)
    if res then return res end
    if single_match(ms, s, p, ep) then s = s + 1 else return nil end
  end
end

local function start_capture(ms, s, p, what)
  local level = ms.level
  if level >= MAXCAPTURES then error('too many captures', 0) end
  ms.init[level + 1] = s
  ms.len[level + 1] = what
  ms.level = level + 1
  local res = match(ms, s, p)
  if not res then ms.level = ms.level - 1 end
  return res
end

local function end_capture(ms, s, p)
  local l = -1
  for level = ms.level, 1, -1 do
    if ms.len[level] == CAP_UNFINISHED then
      l = level
      break
    end
  end
  if l == -1 then error('invalid pattern capture', 0) end
  ms.len[l] = s - ms.init[l]
  local res = match(ms, s, p)
  if not res then ms.len[l] = CAP_UNFINISHED end
  return res
end

local function check_capture(ms, l)
  l = l - 48 -- '1' is capture 1
  if l < 1 or l > ms.level or ms.len[l] == CAP_UNFINISHED then
    error(string_format('invalid capture index %%%d', l), 0)
  end
  return l
end

local function match_capture(ms, s, l)
  l = check_capture(ms, l)
  local len = ms.len[l]
  local init = ms.init[l]
  if ms.src_end - s >= len and sub(ms.src, init, init + len - 1) == sub(ms.src, s, s + len - 1) then
    return s + len
  end
  return nil
end

function match(ms, s, p)
  if ms.depth == 0 then error('pattern too complex', 0) end
  ms.depth = ms.depth - 1
  local pat = ms.p
  while true do
    if p == ms.p_end then break end
    local pc = byte(pat, p)
    local default = false
    if pc == 40 then -- (
      if byte(pat, p + 1) == 41 then s = start_capture(ms, s, p + 2, CAP_POSITION)
      else s = start_capture(ms, s, p + 1, CAP_UNFINISHED) end
      break
    elseif pc == 41 then -- )
      s = end_capture(ms, s, p + 1)
      break
    elseif pc == 36 and p + 1 == ms.p_end then -- $ at the end
      if s ~= ms.src_end then s = nil end
      break
    elseif pc == ESC then
      local nc = byte(pat, p + 1)
      if nc == 98 then -- %b
        s = match_balance(ms, s, p + 2)
        if not s then break end
        p = p + 4
      elseif nc == 102 then -- %f
        p = p + 2
        if byte(pat, p) ~= 91 then error("missing '[' after '%f' in pattern", 0) end
        local ep = class_end(ms, p)
        local previous = s == 1 and 0 or byte(ms.src, s - 1)
        local current = byte(ms.src, s) or 0
        if not match_bracket_class(ms, previous, p, ep - 1) and match_bracket_class(ms, current, p, ep - 1) then
          p = ep
        else
          s = nil
          break
        end
      elseif nc and nc >= 48 and nc <= 57 then -- %0-%9
        s = match_capture(ms, s, nc)
        if not s then break end
        p = p + 2
      else
        default = true
      end
    else
      default = true
    end
    if default then
      local ep = class_end(ms, p)
      local epc = byte(pat, ep)
      if not single_match(ms, s, p, ep) then
        if epc == 42 or epc == 63 or epc == 45 then -- * ? - accept an empty match
          p = ep + 1
        else
          s = nil
          break
        end
      elseif epc == 63 then -- ?
        local res = match(ms, s + 1, ep + 1)
        if res then
          s = res
          break
        end
        p = ep + 1
      elseif epc == 43 then -- +
        s = max_expand(ms, s + 1, p, ep)
        break
      elseif epc == 42 then -- *
        s = max_expand(ms, s, p, ep)
        break
      elseif epc == 45 then -- -
        s = min_expand(ms, s, p, ep)
        break
      else
        s = s + 1
        p = ep
      end
    end
  end
  ms.depth = ms.depth + 1
  return s
end

local function new_state(src, p)
  return { src = src, src_end = #src + 1, p = p, p_end = #p + 1, level = 0, depth = MAXCCALLS, init = {}, len = {} }
end

local function reset(ms)
  ms.level = 0
  ms.depth = MAXCCALLS
end

local function capture_value(ms, i, s, e)
  if i > ms.level then
    if i ~= 1 then error(string_format('invalid capture index %%%d', i), 0) end
    return sub(ms.src, s, e - 1)
  end
  local len = ms.len[i]
  if len == CAP_UNFINISHED then error('unfinished capture', 0) end
  if len == CAP_POSITION then return ms.init[i] end
  return sub(ms.src, ms.init[i], ms.init[i] + len - 1)
end

local function captures(ms, s, e, i)
  i = i or 1
  local n = (ms.level == 0 and s) and 1 or ms.level
  if i > n then return end
  return capture_value(ms, i, s, e), captures(ms, s, e, i + 1)
end

local function start_index(init, len)
  if init == nil then return 1 end
  if init > 0 then return init end
  if init == 0 or init < -len then return 1 end
  return len + init + 1
end

local function find_aux(is_find, s, p, init)
  local ls = #s
  init = start_index(init, ls)
  if init > ls + 1 then return nil end
  -- As in C: find with a pattern free of specials is a plain search.
  if is_find and not s_find(p, '[%^%$%*%+%?%.%(%[%%%-]') then return s_find(s, p, init, true) end
  local anchor = byte(p, 1) == 94
  if anchor then p = sub(p, 2) end
  local ms = new_state(s, p)
  local s1 = init
  repeat
    reset(ms)
    local e = match(ms, s1, 1)
    if e then
      if is_find then return s1, e - 1, captures(ms, nil, 0) end
      return captures(ms, s1, e)
    end
    s1 = s1 + 1
  until s1 > ms.src_end or anchor
  return nil
end

local function find(s, p, init) return find_aux(true, s, p, init) end
local function match_(s, p, init) return find_aux(false, s, p, init) end

local function gmatch(s, p, init)
  local ms = new_state(s, p)
  local src = start_index(init, #s)
  if src > #s + 1 then src = #s + 2 end
  local last
  return function()
    while src <= ms.src_end do
      reset(ms)
      local e = match(ms, src, 1)
      if e and e ~= last then
        local from = src
        src, last = e, e
        return captures(ms, from, e)
      end
      src = src + 1
    end
    return nil
  end
end

local function add_value(ms, out, s, e, repl, tr)
  local value
  if tr == 'function' then
    value = repl(captures(ms, s, e))
  elseif tr == 'table' then
    value = repl[capture_value(ms, 1, s, e)]
  else
    local r = tostring(repl)
    local parts, i, n = {}, 1, #r
    while i <= n do
      local c = byte(r, i)
      if c == ESC then
        i = i + 1
        local d = byte(r, i)
        if d == ESC then
          parts[#parts + 1] = '%'
        elseif d and d >= 48 and d <= 57 then
          if d == 48 then parts[#parts + 1] = sub(ms.src, s, e - 1)
          else parts[#parts + 1] = tostring(capture_value(ms, d - 48, s, e)) end
        else
          error("invalid use of '%' in replacement string", 0)
        end
      else
        parts[#parts + 1] = sub(r, i, i)
      end
      i = i + 1
    end
    out[#out + 1] = concat(parts)
    return
  end
  if not value then
    out[#out + 1] = sub(ms.src, s, e - 1)
  elseif type(value) == 'string' or type(value) == 'number' then
    out[#out + 1] = tostring(value)
  else
    error(string_format('invalid replacement value (a %s)', type(value)), 0)
  end
end

local function gsub(src, p, repl, max_n)
  local tr = type(repl)
  if tr ~= 'number' and tr ~= 'string' and tr ~= 'function' and tr ~= 'table' then
    error(string_format("bad argument #3 to 'gsub' (string/function/table expected, got %s)", tr), 0)
  end
  max_n = max_n or #src + 1
  local anchor = byte(p, 1) == 94
  if anchor then p = sub(p, 2) end
  local ms = new_state(src, p)
  local out, n, s, last = {}, 0, 1, nil
  while n < max_n do
    reset(ms)
    local e = match(ms, s, 1)
    if e and e ~= last then
      n = n + 1
      add_value(ms, out, s, e, repl, tr)
      s, last = e, e
    elseif s < ms.src_end then
      out[#out + 1] = sub(src, s, s)
      s = s + 1
    else
      break
    end
    if anchor then break end
  end
  out[#out + 1] = sub(src, s)
  return concat(out), n
end

-- For the sandbox's cost estimate: the repetitions of a pattern that may backtrack (all but one
-- ending the pattern), as classes whose longest run in the subject bounds them, and the count of
-- items that may scan the whole subject (a repeated '.', %b, back-references). nil when malformed.
local function item_end(p, i, m)
  local c = byte(p, i)
  if c == ESC then
    if i + 1 > m then return nil end
    return i + 2
  end
  if c == 91 then -- [
    local j = i + 1
    if byte(p, j) == 94 then j = j + 1 end
    repeat
      if j > m then return nil end
      local cc = byte(p, j)
      j = j + 1
      if cc == ESC and j <= m then j = j + 1 end
    until byte(p, j) == 93
    return j + 1
  end
  return i + 1
end

local function analyse(p, anchors)
  local i, m = 1, #p
  local anchored = anchors and byte(p, 1) == 94
  if anchored then i = 2 end
  local items, unbounded, pairs_ = {}, 0, 0
  while i <= m do
    local c, d = byte(p, i), byte(p, i + 1)
    if c == 40 or c == 41 or (c == 36 and i == m) then -- ( ) and a final $
      i = i + 1
    elseif c == ESC and d == 98 then -- %bxy
      if i + 3 > m then return nil end
      unbounded = unbounded + 1
      i = i + 4
    elseif c == ESC and d == 102 then -- %f[set]
      if byte(p, i + 2) ~= 91 then return nil end
      i = item_end(p, i + 2, m)
      if not i then return nil end
    elseif c == ESC and d and d >= 48 and d <= 57 then -- back-reference
      unbounded = unbounded + 1
      i = i + 2
    else
      local e = item_end(p, i, m)
      if not e then return nil end
      local q = byte(p, e)
      if q == 42 or q == 43 or q == 45 or q == 63 then
        items[#items + 1] = { sub(p, i, e - 1), q, e + 1 }
        i = e + 1
      else
        i = e
      end
    end
  end
  local last = items[#items]
  if last and not s_find(p, '[^)]', last[3]) then items[#items] = nil end
  local classes = {}
  for _, item in ipairs(items) do
    local class, q = item[1], item[2]
    if q == 63 then pairs_ = pairs_ + 1 -- ? takes one byte or none
    elseif class == '.' then unbounded = unbounded + 1
    else
      if #class == 1 and not s_find(class, '%w') then class = '%' .. class end
      classes[#classes + 1] = class
    end
  end
  return { anchored = anchored, unbounded = unbounded, optional = pairs_, classes = classes }
end

return { find = find, match = match_, gmatch = gmatch, gsub = gsub, analyse = analyse }
`
