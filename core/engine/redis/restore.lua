-- Import's write: entries stored exactly as a dump holds them (version, updated time, expiry), a
-- page per call, atomically; with overwrite '0' a live entry is kept. The namespace's version
-- counter is raised to the highest version written, so later writes still get higher ones.
-- KEYS: index, expiring, version, info
-- ARGV: entry key prefix, overwrite ('1'|'0'), now, then per entry 8 values:
--   member, value, kind, ct, meta, version, updated, expires (ct, meta and expires as in put)
-- Returns { written, hint }.
local ns = { index = KEYS[1], expiring = KEYS[2], version = KEYS[3], info = KEYS[4] }
local prefix, overwrite, now = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])
local written, hint, highest = 0, 0, 0
for i = 4, #ARGV, 8 do
  local member, version = ARGV[i], tonumber(ARGV[i + 5])
  local entry_key = prefix .. member
  if overwrite or not live_version(entry_key, now) then
    local first = store_entry(ns, member, entry_key, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
      ARGV[i + 7], version, ARGV[i + 6])
    if first == 1 then hint = 1 end
    written = written + 1
  end
  if version > highest then highest = version end
end
if highest > (tonumber(redis.call('GET', ns.version)) or 0) then
  redis.call('SET', ns.version, string.format('%d', highest))
end
return { written, hint }
