-- Delete, optionally only a given version. Returns 1 when a live entry was deleted, 0 when none
-- was, -1 when the version did not match.
-- KEYS: entry, index, expiring, info
-- ARGV: member, now, ifVersion
local current = live_version(KEYS[1], tonumber(ARGV[2]))
if ARGV[3] ~= '' and current ~= tonumber(ARGV[3]) then return -1 end
remove_entry({ index = KEYS[2], expiring = KEYS[3], info = KEYS[4] }, ARGV[1], KEYS[1])
if current then return 1 end
return 0
