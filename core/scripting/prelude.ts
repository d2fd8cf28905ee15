// The trusted Lua code run once per Lua state, before any script. It captures the safe library
// functions as locals and returns the `run` entry point, which builds a fresh environment for every
// script run: no script ever sees this state's real global table, another run's globals, or a
// library table it could change for the next script.
//
// Stops that must not be swallowed by a script's pcall, xpcall or coroutine.resume (kvdb.exit,
// the time limit, the output limit, the memory limit) travel as sentinel values that the wrapped
// versions of those functions re-raise. Host calls (kvdb.get, ...) yield a HOST sentinel up to the
// JavaScript runner; the wrapped coroutine.resume forwards such a yield from a script's own
// coroutine to its parent, so kvdb.get also works inside coroutines.

import { KVDB_API } from './prelude-kvdb.ts'

export const PRELUDE = `
local PATTERNS = ... -- the Lua port of string.find/match/gmatch/gsub (patterns.ts)
local HOST, EXIT, ABORT, OUTPUT = {}, {}, {}, {}
local MEMERR = 'not enough memory'
local DEFAULT_TYPE = 'text/plain; charset=utf-8'
local REDIRECTS = { [301] = true, [302] = true, [303] = true, [307] = true, [308] = true }

local assert, error, getmetatable, ipairs, next, pairs, rawequal, rawget, rawlen, rawset, select, tonumber, tostring, type =
  assert, error, getmetatable, ipairs, next, pairs, rawequal, rawget, rawlen, rawset, select, tonumber, tostring, type
local raw_pcall, raw_xpcall, raw_setmetatable, raw_collectgarbage = pcall, xpcall, setmetatable, collectgarbage
local co_create, co_resume, co_yield, co_running, co_status, co_isyieldable, co_close =
  coroutine.create, coroutine.resume, coroutine.yield, coroutine.running, coroutine.status,
  coroutine.isyieldable, coroutine.close
local pack, concat = table.pack, table.concat
local floor, math_type = math.floor, math.type
local s_find, s_format, s_lower = string.find, string.format, string.lower
local C = { find = string.find, match = string.match, gmatch = string.gmatch, gsub = string.gsub }
local log = math.log
local string_lib, table_lib, math_lib, utf8_lib = string, table, math, utf8
local VERSION = _VERSION

local _ENV = nil -- from here on a stray global name is an error, never a reach into _G

-- The C pattern matcher backtracks without running a Lua instruction, out of the time limit's
-- reach. A call whose worst case is large runs in the Lua port instead, where the limit applies.
-- The worst case is about starts * #p * (run + 1) for each repetition that may backtrack, where
-- run is the longest run of its class in the subject (the whole subject for '.', %b and
-- back-references); a repetition ending the pattern never backtracks. Logarithms keep it small.
local HEAVY = log(1e7)

local function heavy(s, p, init, anchors)
  if type(s) ~= 'string' or type(p) ~= 'string' then return false end
  if init ~= nil and math_type(init) ~= 'integer' then return false end
  local n = #s
  if n < 2 then return false end
  -- A quick upper bound first: every repetition character as a whole-subject scan.
  local q = 0
  for _ in C.gmatch(p, '[%*%+%-%?]') do q = q + 1 end
  for _ in C.gmatch(p, '%%[b1-9]') do q = q + 1 end
  local starts = (anchors and C.find(p, '^%^')) and 0 or log(n)
  if starts + q * log(n) + log(#p + 1) <= HEAVY then return false end
  local shape = PATTERNS.analyse(p, anchors)
  if not shape then return false end -- malformed: the C matcher says so at once
  local cost = (shape.anchored and 0 or log(n)) + log(#p + 1) + shape.unbounded * log(n) + shape.optional * log(2)
  for _, class in ipairs(shape.classes) do
    if cost > HEAVY then return true end
    local longest = 0
    for run in C.gmatch(s, class .. '+') do
      if #run > longest then longest = #run end
    end
    cost = cost + log(longest + 1)
  end
  return cost > HEAVY
end

local function pass(...)
  return ...
end

local function find_(s, p, init, plain)
  if not plain and heavy(s, p, init, true) then return PATTERNS.find(s, p, init) end
  return pass(C.find(s, p, init, plain))
end

local function match_(s, p, init)
  if heavy(s, p, init, true) then return PATTERNS.match(s, p, init) end
  return pass(C.match(s, p, init))
end

local function gmatch_(s, p, init)
  if heavy(s, p, init, false) then return PATTERNS.gmatch(s, p, init) end
  return pass(C.gmatch(s, p, init))
end

local function gsub_(s, p, repl, n)
  local tr = type(repl)
  local valid = tr == 'string' or tr == 'number' or tr == 'function' or tr == 'table'
  if valid and (n == nil or math_type(n) == 'integer') and heavy(s, p, nil, true) then
    return PATTERNS.gsub(s, p, repl, n)
  end
  return pass(C.gsub(s, p, repl, n))
end

-- The string metatable is shared by every run on this state: its __index is the real string
-- library, which no script can reach (getmetatable('') answers false); scripts get copies.
string_lib.dump = nil
string_lib.find, string_lib.match, string_lib.gmatch, string_lib.gsub = find_, match_, gmatch_, gsub_
getmetatable('').__metatable = false

local function copy(lib, except)
  local result = {}
  for name, value in next, lib do
    if name ~= except then result[name] = value end
  end
  return result
end

local function fatal(e)
  return rawequal(e, EXIT) or rawequal(e, ABORT) or rawequal(e, OUTPUT) or rawequal(e, MEMERR)
end

local function checked(ok, ...)
  if not ok and fatal((...)) then error((...), 0) end
  return ok, ...
end

local function pcall_(f, ...)
  return checked(raw_pcall(f, ...))
end

local function xpcall_(f, handler, ...)
  return checked(raw_xpcall(f, function(e)
    if fatal(e) then return e end
    return handler(e)
  end, ...))
end

local ROOT -- the thread running the current script

local function yield_(...)
  if co_running() == ROOT then error('attempt to yield from outside a coroutine', 2) end
  return co_yield(...)
end

local function resumed(co, ok, ...)
  if ok then
    if rawequal((...), HOST) then
      -- A host call from inside the coroutine: pass it up, then hand the answer back down.
      return resumed(co, co_resume(co, co_yield(...)))
    end
    return true, ...
  end
  if fatal((...)) then error((...), 0) end
  return false, ...
end

local function resume_(co, ...)
  return resumed(co, co_resume(co, ...))
end

local function unwrap(ok, ...)
  if ok then return ... end
  error((...), 0)
end

local function wrap_(f)
  local co = co_create(f)
  return function(...)
    return unwrap(resume_(co, ...))
  end
end

local function setmetatable_(t, mt)
  -- A finalizer could run later, during another script's run on this state.
  if type(mt) == 'table' and rawget(mt, '__gc') ~= nil then
    error('__gc metamethods are not allowed in scripts', 2)
  end
  return raw_setmetatable(t, mt)
end

local function collectgarbage_(option)
  if option == nil or option == 'collect' or option == 'count' then return raw_collectgarbage(option) end
  error(s_format("bad argument #1 to 'collectgarbage' (option '%s' is not allowed in scripts)", tostring(option)), 2)
end

${KVDB_API}local coroutine_lib = {
  close = co_close, create = co_create, isyieldable = co_isyieldable, resume = resume_,
  running = co_running, status = co_status, wrap = wrap_, yield = yield_,
}

local function new_env(kvdb)
  local env = {
    assert = assert, collectgarbage = collectgarbage_, error = error, getmetatable = getmetatable,
    ipairs = ipairs, next = next, pairs = pairs, pcall = pcall_, rawequal = rawequal, rawget = rawget,
    rawlen = rawlen, rawset = rawset, select = select, setmetatable = setmetatable_, tonumber = tonumber,
    tostring = tostring, type = type, xpcall = xpcall_, _VERSION = VERSION,
    coroutine = copy(coroutine_lib), math = copy(math_lib, 'randomseed'), string = copy(string_lib),
    table = copy(table_lib), utf8 = copy(utf8_lib), kvdb = kvdb,
  }
  env._G = env
  return env
end

-- Runs one compiled script (a chunk that takes its environment as its first argument) and answers
-- status, content type, location (or nil) and body.
local function run(chunk, var, output_limit)
  ROOT = co_running()
  local state = { out = {}, n = 0, bytes = 0, limit = output_limit, written = false }
  local kvdb = new_kvdb(state, var)
  local results = pack(raw_pcall(chunk, new_env(kvdb)))
  if results[1] then
    -- Strings and numbers a script returns are printed, as with kvdb.print.
    for i = 2, results.n do
      local t = type(results[i])
      if t == 'string' or t == 'number' then state.write(tostring(results[i])) end
    end
  elseif not rawequal(results[2], EXIT) then
    error(results[2], 0)
  end
  local status, content_type = state.status, state.content_type
  if not state.written then
    status = state.exit or status_of(kvdb)
    content_type = content_type_of(kvdb)
  end
  return status, content_type, state.location, concat(state.out, '', 1, state.n)
end

return { run = run, HOST = HOST, ABORT = ABORT, OUTPUT = OUTPUT }
`
