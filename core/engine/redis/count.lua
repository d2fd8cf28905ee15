-- Live entries of a namespace, optionally only those whose key starts with a prefix.
-- KEYS: index, expiring
-- ARGV: min, max (ZLEXCOUNT bounds), prefix ('' for all), now
local prefix, now = ARGV[3], tonumber(ARGV[4])
if prefix == '' then return live_count(KEYS[1], KEYS[2], now) end
local total = redis.call('ZLEXCOUNT', KEYS[1], ARGV[1], ARGV[2])
-- Expired members wait in the index until swept; few remain between sweeps.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  if string.sub(member, 1, #prefix) == prefix then total = total - 1 end
end
return total
