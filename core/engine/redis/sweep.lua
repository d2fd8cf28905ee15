-- Deletes up to `limit` entries of one namespace whose expiry is at or before `now`.
-- KEYS: index, expiring, info, change log, change head
-- ARGV: namespace key prefix (everything before ':e:'), now, limit, log spec
-- Returns { removed, expiring entries left }.
local members = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local log = change_log(KEYS[4], KEYS[5], ARGV[4])
for _, member in ipairs(members) do
  redis.call('UNLINK', ARGV[1] .. ':e:' .. member)
  log_change(log, 'e', member, false, false, ARGV[2])
end
if #members > 0 then
  call_chunked('ZREM', KEYS[1], members)
  call_chunked('ZREM', KEYS[2], members)
  call_chunked('HDEL', KEYS[3], members)
end
return { #members, redis.call('ZCARD', KEYS[2]) }
