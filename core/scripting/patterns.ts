// Lua's pattern matching (string.find, match, gmatch, gsub) written in Lua, a line-by-line port of
// lstrlib.c (Lua 5.4). The C matcher backtracks without running a single Lua instruction, so the
// CPU-time hook never sees it: `string.find(string.rep("a", 1e6), ".-.-b")` would hold the process
// for hours. The prelude sends a call here only when its worst case is large (see PRELUDE); in Lua
// the same search is slower but counted, and stopped at the time limit like any other loop.

import { PATTERN_COST } from './pattern-cost.ts'
import { PATTERN_MATCHER } from './pattern-matcher.ts'

/** The library functions, on the matcher: each call gets a fresh match state. */
const LIBRARY = `local function new_state(src, p)
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

`

/** The whole module, one Lua chunk: the matcher, the library functions, the cost estimate, the exports. */
export const PATTERNS = `${PATTERN_MATCHER}${LIBRARY}${PATTERN_COST}return { find = find, match = match_, gmatch = gmatch, gsub = gsub, analyse = analyse }
`
