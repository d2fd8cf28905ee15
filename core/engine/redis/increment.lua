-- Increment: int64 stays exact (Redis's own HINCRBY arithmetic, which refuses to overflow);
-- anything with a float is float64, written the way JavaScript prints a number.
-- KEYS: entry, index, expiring, version, scratch (a hash of the same slot, outside the entry space), info,
--   change log, change head
-- ARGV: member, delta type ('int'|'float'), delta, expires, now, log spec
-- Returns { 'ok', kind, text, version, hint } or { 'mismatch', reason } (the engine's TypeMismatchError reasons).
local ns = { index = KEYS[2], expiring = KEYS[3], version = KEYS[4], info = KEYS[6],
  log = change_log(KEYS[7], KEYS[8], ARGV[6]) }
local now = tonumber(ARGV[5])
local fields = redis.call('HMGET', KEYS[1], 'v', 'k', 'x')
local text, kind = fields[1], fields[2]
if text and fields[3] and tonumber(fields[3]) <= now then text = false end
if text and kind ~= KIND_INT and kind ~= KIND_FLOAT then return { 'mismatch', 'not-a-number' } end

-- The shortest decimal that reads back as x, laid out as JavaScript's Number#toString does.
local function js_number(x)
  if x == 0 then return '0' end
  local s
  for precision = 0, 16 do
    s = string.format('%.' .. precision .. 'e', x)
    if tonumber(s) == x then break end
  end
  local sign, first, rest, exponent = string.match(s, '^(-?)(%d)%.?(%d*)e([-+]%d+)$')
  local digits = string.gsub(first .. rest, '0+$', '')
  local k = #digits
  local n = tonumber(exponent) + 1
  if k <= n and n <= 21 then return sign .. digits .. string.rep('0', n - k) end
  if 0 < n and n <= 21 then return sign .. string.sub(digits, 1, n) .. '.' .. string.sub(digits, n + 1) end
  if -6 < n and n <= 0 then return sign .. '0.' .. string.rep('0', -n) .. digits end
  local e = n - 1
  local mantissa = k == 1 and digits or (string.sub(digits, 1, 1) .. '.' .. string.sub(digits, 2))
  return sign .. mantissa .. 'e' .. (e >= 0 and '+' or '-') .. math.abs(e)
end

local result_kind, result
-- Integers of at most 15 digits add exactly in a double (|sum| < 2^53): no scratch hash needed.
local function small_int(decimal)
  local digits = string.match(decimal, '^-?(%d+)$')
  return digits ~= nil and #digits <= 15
end

if ARGV[2] == 'int' and (not text or kind == KIND_INT) and (not text or small_int(text)) and small_int(ARGV[3]) then
  result = string.format('%d', (text and tonumber(text) or 0) + tonumber(ARGV[3]))
  result_kind = KIND_INT
elseif ARGV[2] == 'int' and (not text or kind == KIND_INT) then
  -- HINCRBY on a scratch hash does the exact int64 sum, or fails on overflow; Lua numbers are doubles.
  local scratch = KEYS[5]
  redis.call('DEL', scratch)
  redis.call('HSET', scratch, 'v', text or '0')
  local ok = redis.pcall('HINCRBY', scratch, 'v', ARGV[3])
  if type(ok) == 'table' and ok.err then
    redis.call('DEL', scratch)
    if string.find(ok.err, 'overflow') then return { 'mismatch', 'int-overflow' } end
    return { 'mismatch', 'not-a-number' }
  end
  result = redis.call('HGET', scratch, 'v')
  redis.call('DEL', scratch)
  result_kind = KIND_INT
else
  local base = text and tonumber(text) or 0
  if base == nil then return { 'mismatch', 'not-a-number' } end
  local sum = base + tonumber(ARGV[3])
  if sum ~= sum or sum == math.huge or sum == -math.huge then return { 'mismatch', 'float-overflow' } end
  result = js_number(sum)
  result_kind = KIND_FLOAT
end
local version, hint = write_entry(ns, ARGV[1], KEYS[1], result, result_kind, '', '', ARGV[4], ARGV[5])
return { 'ok', result_kind, result, version, hint }
