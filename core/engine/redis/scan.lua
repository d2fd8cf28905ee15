-- Live entries in byte order (the index is a sorted set whose members all score 0, which Redis
-- orders bytewise), skipping expired ones, after `offset` live ones, at most `limit`.
-- KEYS: index
-- ARGV: entry key prefix, min, max (ZRANGEBYLEX bounds), reverse ('1'|'0'), offset, limit, now,
--   with values ('1'|'0')
-- Returns a flat list: member, kind, content type, metadata, version, updated, expires[, value].
local prefix, low, high = ARGV[1], ARGV[2], ARGV[3]
local reverse, skip, limit = ARGV[4] == '1', tonumber(ARGV[5]), tonumber(ARGV[6])
local now, with_values = tonumber(ARGV[7]), ARGV[8] == '1'
local names = { 'k', 'c', 'm', 'n', 'u', 'x' }
if with_values then names[#names + 1] = 'v' end
local out, found = {}, 0
if limit == 0 then return out end
local chunk = math.min(math.max(skip + limit, 16), CHUNK)
while true do
  local members
  if reverse then
    members = redis.call('ZREVRANGEBYLEX', KEYS[1], high, low, 'LIMIT', 0, chunk)
  else
    members = redis.call('ZRANGEBYLEX', KEYS[1], low, high, 'LIMIT', 0, chunk)
  end
  for _, member in ipairs(members) do
    local fields = redis.call('HMGET', prefix .. member, unpack(names))
    if fields[4] and not (fields[6] and tonumber(fields[6]) <= now) then
      if skip > 0 then
        skip = skip - 1
      else
        out[#out + 1] = member
        for n = 1, #names do out[#out + 1] = fields[n] end
        found = found + 1
        if found == limit then return out end
      end
    end
  end
  if #members < chunk then return out end
  if reverse then high = '(' .. members[#members] else low = '(' .. members[#members] end
end
