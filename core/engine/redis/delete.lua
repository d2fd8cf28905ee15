-- Delete, optionally only a live entry, or only a given version. Returns 1 when a live entry was
-- deleted, 0 when none was, or the reason when a condition failed.
-- KEYS: entry, index, expiring, info, change log, change head
-- ARGV: member, now, presence ('e'|''), ifVersion, log spec
local current = live_version(KEYS[1], tonumber(ARGV[2]))
local failed = failed_condition(current, ARGV[3], ARGV[4])
if failed then return failed end
local ns = { index = KEYS[2], expiring = KEYS[3], info = KEYS[4], log = change_log(KEYS[5], KEYS[6], ARGV[5]) }
if remove_logged(ns, ARGV[1], KEYS[1], tonumber(ARGV[2])) then return 1 end
return 0
