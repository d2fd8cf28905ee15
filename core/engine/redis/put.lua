-- Put, with its conditions judged and its indexes updated in the same atomic step.
-- KEYS: entry, index, expiring, version, info, change log, change head
-- ARGV: member, value, kind, ct, meta, expires, now, presence ('a'|'e'|''), ifVersion, maxKeys, log spec
-- Returns { version, hint }, { -1, reason } when a condition fails, { -2, 0 } over the key quota.
local ns = { index = KEYS[2], expiring = KEYS[3], version = KEYS[4], info = KEYS[5],
  log = change_log(KEYS[6], KEYS[7], ARGV[11]) }
local now = tonumber(ARGV[7])
-- An unconditional put (the common case) need not read the entry it replaces.
local conditional = ARGV[8] ~= '' or ARGV[9] ~= '' or ARGV[10] ~= ''
local current = conditional and live_version(KEYS[1], now)
local failed = failed_condition(current, ARGV[8], ARGV[9])
if failed then return { -1, failed } end
if ARGV[10] ~= '' and not current and live_count(ns.index, ns.expiring, now) >= tonumber(ARGV[10]) then
  return { -2, 0 }
end
local version, hint = write_entry(ns, ARGV[1], KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return { version, hint }
