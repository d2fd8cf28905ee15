-- Atomic batch: every condition is judged against the state before the batch; then the operations
-- apply in order. Nothing is written when a condition fails.
-- KEYS: index, expiring, version, info, change log, change head
-- ARGV: namespace key prefix (everything before ':e:'), now, log spec, then 9 fields per operation: type
--   ('p'|'d'|'c'), member, presence, version, value, kind, ct, meta, expires, where presence is
--   what the operation requires of the key ('a' absent, 'e' a live entry, '' either) and version
--   the version it requires ('' for any); deletes and checks leave the last five empty.
-- Returns { 'conflict', index, reason } or { 'ok', hint, result... } with -1 for no version.
local ns = { index = KEYS[1], expiring = KEYS[2], version = KEYS[3], info = KEYS[4],
  log = change_log(KEYS[5], KEYS[6], ARGV[3]) }
-- Entry keys are built here (a batch has any number of them); they share the declared keys' hash
-- tag, so they sit in the same slot.
local base, now = ARGV[1], tonumber(ARGV[2])
local count = (#ARGV - 3) / 9
local function field(i, n) return ARGV[3 + (i - 1) * 9 + n] end
local function entry_key(i) return base .. ':e:' .. field(i, 2) end

for i = 1, count do
  local presence, version = field(i, 3), field(i, 4)
  if presence ~= '' or version ~= '' then
    local failed = failed_condition(live_version(entry_key(i), now), presence, version)
    if failed then return { 'conflict', i - 1, failed } end
  end
end

local results = { 'ok', 0 }
for i = 1, count do
  local type, member, key = field(i, 1), field(i, 2), entry_key(i)
  if type == 'p' then
    local version, hint = write_entry(ns, member, key, field(i, 5), field(i, 6), field(i, 7),
      field(i, 8), field(i, 9), ARGV[2])
    if hint == 1 then results[2] = 1 end
    results[#results + 1] = version
  elseif type == 'd' then
    remove_logged(ns, member, key, now)
    results[#results + 1] = -1
  else
    results[#results + 1] = live_version(key, now) or -1
  end
end
return results
