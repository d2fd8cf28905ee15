-- Put, with its conditions judged and its indexes updated in the same atomic step.
-- KEYS: entry, index, expiring, version
-- ARGV: member, value, kind, ct, meta, expires, now, ifAbsent ('1'|''), ifVersion, maxKeys
local ns = { index = KEYS[2], expiring = KEYS[3], version = KEYS[4] }
local now = tonumber(ARGV[7])
local current = live_version(KEYS[1], now)
if ARGV[8] == '1' and current then return { -1, 0 } end
if ARGV[9] ~= '' and current ~= tonumber(ARGV[9]) then return { -1, 0 } end
if ARGV[10] ~= '' and not current and live_count(ns.index, ns.expiring, now) >= tonumber(ARGV[10]) then
  return { -2, 0 }
end
local version, hint = write_entry(ns, ARGV[1], KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return { version, hint }
