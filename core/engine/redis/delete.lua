-- Delete, optionally only a given version. Returns 1 when a live entry was deleted, 0 when none
-- was, -1 when the version did not match.
-- KEYS: entry, index, expiring
-- ARGV: member, now, ifVersion
local current = live_version(KEYS[1], tonumber(ARGV[2]))
if ARGV[3] ~= '' and current ~= tonumber(ARGV[3]) then return -1 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if current then return 1 end
return 0
