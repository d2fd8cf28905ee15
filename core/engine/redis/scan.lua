-- Live entries in byte order (the index is a sorted set whose members all score 0, which Redis
-- orders bytewise), skipping expired ones, after `offset` live ones, at most `limit`. A page of
-- entries is one HMGET of the info hash; values, when asked for, one HGET each.
-- KEYS: index, info
-- ARGV: entry key prefix, min, max (ZRANGEBYLEX bounds), reverse ('1'|'0'), offset, limit, now,
--   with values ('1'|'0')
-- Returns a flat list: member, packed info[, value] for each entry.
local prefix, low, high = ARGV[1], ARGV[2], ARGV[3]
local reverse, skip, limit = ARGV[4] == '1', tonumber(ARGV[5]), tonumber(ARGV[6])
local now, with_values = tonumber(ARGV[7]), ARGV[8] == '1'
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
  if #members == 0 then return out end
  local infos = redis.call('HMGET', KEYS[2], unpack(members))
  for i, member in ipairs(members) do
    local info = infos[i]
    local expires = info and info_expiry(info)
    if info and not (expires and expires <= now) then
      local value = with_values and redis.call('HGET', prefix .. member, 'v')
      if not with_values or value then
        if skip > 0 then
          skip = skip - 1
        else
          out[#out + 1] = member
          out[#out + 1] = info
          if with_values then out[#out + 1] = value end
          found = found + 1
          if found == limit then return out end
        end
      end
    end
  end
  if #members < chunk then return out end
  if reverse then high = '(' .. members[#members] else low = '(' .. members[#members] end
end
