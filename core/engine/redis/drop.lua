-- Removes up to `limit` entries and lists of a deleted namespace; 1 when nothing of it remains.
-- Called again and again, each call short, so dropping a namespace of a million keys never
-- blocks Redis; UNLINK frees the memory in the background.
-- KEYS: index, expiring, version, list index, info, change log, change head
-- ARGV: namespace key prefix (everything before ':e:'), limit
-- Keys built here from index members share the declared keys' hash tag, so they sit in their slot.
local base, limit = ARGV[1], tonumber(ARGV[2])
local members = redis.call('ZRANGE', KEYS[1], 0, limit - 1)
for _, member in ipairs(members) do redis.call('UNLINK', base .. ':e:' .. member) end
if #members > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #members - 1)
  call_chunked('ZREM', KEYS[2], members)
  call_chunked('HDEL', KEYS[5], members)
end
local removed = #members
if removed < limit then
  local lists = redis.call('ZRANGE', KEYS[4], 0, limit - removed - 1)
  for _, member in ipairs(lists) do
    redis.call('UNLINK', base .. ':li:' .. member, base .. ':lt:' .. member)
  end
  if #lists > 0 then redis.call('ZREMRANGEBYRANK', KEYS[4], 0, #lists - 1) end
  removed = removed + #lists
end
if removed < limit then
  redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  return 1
end
return 0
