// The core of the Lua port of Lua's pattern matching (patterns.ts): character classes, and the
// backtracking matcher of lstrlib.c, line by line. Its locals are used by the library functions
// that follow it in the same chunk.

export const PATTERN_MATCHER = `
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

`
