// The kvdb table a script sees (kvdb.get, set, delete, incr, list, exit, status, header, ...):
// part of the prelude (prelude.ts), where its locals are in scope. Host calls yield to the
// JavaScript runner; bad arguments are raised at the script's own line.

export const KVDB_API = String.raw`local function host(op, ...)
  local ok, value = co_yield(HOST, op, ...)
  if not ok then error(value, 3) end
  return value
end

-- Raised at the position of the script line that called the kvdb function (level 3 from here).
local function bad(n, fname, expected, got, level)
  error(s_format("bad argument #%d to '%s' (%s expected, got %s)", n, fname, expected, type(got)), level or 3)
end

local function key_arg(key, fname)
  local t = type(key)
  if t == 'string' then return key end
  if t == 'number' then return tostring(key) end
  bad(1, fname, 'string', key, 4)
end

local function is_integer(n)
  return type(n) == 'number' and n == floor(n)
end

local function http_status(code, what)
  if not is_integer(code) or code < 200 or code > 599 then
    error(s_format('%s must be an HTTP status from 200 to 599, got %s', what, tostring(code)), 0)
  end
  return floor(code)
end

local function status_of(kvdb)
  local status = rawget(kvdb, 'status')
  if status == nil then return 200 end
  return http_status(status, 'kvdb.status')
end

local function content_type_of(kvdb)
  local header = rawget(kvdb, 'header')
  if type(header) ~= 'table' then return DEFAULT_TYPE end
  local value = rawget(header, 'content-type')
  if value == nil then
    for name, v in next, header do
      if type(name) == 'string' and s_lower(name) == 'content-type' then
        value = v
        break
      end
    end
  end
  if value == nil then return DEFAULT_TYPE end
  if type(value) ~= 'string' or s_find(value, '[^\32-\126]') then
    error('kvdb.header["content-type"] must be a string of printable ASCII characters', 0)
  end
  return value
end

-- Header names are case-insensitive: kvdb.header["Content-Type"] is kvdb.header["content-type"].
local HEADER_META = {
  __metatable = false, -- shared by every run: no script may change it
  __index = function(header, name)
    if type(name) == 'string' then return rawget(header, s_lower(name)) end
  end,
  __newindex = function(header, name, value)
    if type(name) == 'string' then name = s_lower(name) end
    rawset(header, name, value)
  end,
}

local function new_kvdb(state, var)
  local kvdb = { var = var, status = 200, header = raw_setmetatable({ ['content-type'] = DEFAULT_TYPE }, HEADER_META) }

  local function write(s)
    if not state.written then
      state.status = status_of(kvdb)
      state.content_type = content_type_of(kvdb)
      state.written = true
    end
    local bytes = state.bytes + #s
    if bytes > state.limit then error(OUTPUT, 0) end
    state.bytes = bytes
    state.n = state.n + 1
    state.out[state.n] = s
  end

  local function emit(fname, ...)
    for i = 1, select('#', ...) do
      local v = select(i, ...)
      local t = type(v)
      if t == 'number' or t == 'boolean' or t == 'nil' then
        v = tostring(v)
      elseif t ~= 'string' then
        error(s_format("bad argument #%d to '%s' (string expected, got %s)", i, fname, t), 3)
      end
      write(v)
    end
  end
  state.write = write

  function kvdb.print(...)
    emit('print', ...)
  end

  function kvdb.say(...)
    emit('say', ...)
    write('\n')
  end

  function kvdb.exit(code)
    if code ~= nil and code ~= 0 then state.exit = http_status(code, 'kvdb.exit code') end
    error(EXIT, 0)
  end

  function kvdb.redirect(url, code)
    if type(url) ~= 'string' or s_find(url, '%c') then bad(1, 'redirect', 'URL without control characters', url) end
    if code == nil then code = 302 end
    if not REDIRECTS[code] then
      error("bad argument #2 to 'redirect' (301, 302, 303, 307 or 308 expected)", 2)
    end
    if state.written then error('kvdb.redirect called after output was written', 2) end
    state.location = url
    state.exit = floor(code)
    error(EXIT, 0)
  end

  function kvdb.get(key)
    local value = host('get', key_arg(key, 'get'))
    return value
  end

  function kvdb.set(key, value, ttl)
    key = key_arg(key, 'set')
    local t = type(value)
    if t ~= 'string' and t ~= 'number' then bad(2, 'set', 'string or number', value) end
    if ttl ~= nil and (not is_integer(ttl) or ttl < 0) then bad(3, 'set', 'non-negative integer', ttl) end
    host('set', key, value, ttl)
  end

  function kvdb.delete(key)
    host('delete', key_arg(key, 'delete'))
  end

  function kvdb.incr(key, delta)
    key = key_arg(key, 'incr')
    if delta == nil then delta = 1 end
    if type(delta) ~= 'number' then bad(2, 'incr', 'number', delta) end
    local value = host('incr', key, delta)
    return value
  end

  function kvdb.list(options)
    if options == nil then options = {} end
    if type(options) ~= 'table' then bad(1, 'list', 'table', options) end
    local prefix, limit, skip = rawget(options, 'prefix'), rawget(options, 'limit'), rawget(options, 'skip')
    if prefix ~= nil and type(prefix) ~= 'string' then bad(1, 'list', 'string prefix', prefix) end
    if limit ~= nil and (not is_integer(limit) or limit < 0) then bad(1, 'list', 'non-negative integer limit', limit) end
    if skip ~= nil and (not is_integer(skip) or skip < 0) then bad(1, 'list', 'non-negative integer skip', skip) end
    local value = host('list', prefix, limit, skip, rawget(options, 'reverse') and true or false,
      rawget(options, 'values') and true or false)
    return value
  end

  return kvdb
end

`
