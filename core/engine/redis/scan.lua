-- Live entries in byte order (the index is a sorted set whose members all score 0, which Redis
-- orders bytewise), skipping expired ones, after `offset` live ones, at most `limit`. A page of
-- entries is one HMGET of the info hash; values, when asked for, one HGET each.
-- KEYS: index, info
-- ARGV: entry key prefix, min, max (ZRANGEBYLEX bounds), reverse ('1'|'0'), offset, limit, now,
--   with values ('1'|'0')
-- Returns one string: for each entry, the byte lengths of its member, packed info and (with values)
-- value as 32-bit big-endian integers, then those bytes. (One bulk reply: a client decodes a page
-- of a hundred entries several times faster than two or three hundred bulk strings.)
local prefix, low, high = ARGV[1], ARGV[2], ARGV[3]
local reverse, skip, limit = ARGV[4] == '1', tonumber(ARGV[5]), tonumber(ARGV[6])
local now, with_values = tonumber(ARGV[7]), ARGV[8] == '1'
local out, found = {}, 0
if limit == 0 then return '' end
local chunk = math.min(math.max(skip + limit, 16), CHUNK)
while true do
  local members
  if reverse then
    members = redis.call('ZREVRANGEBYLEX', KEYS[1], high, low, 'LIMIT', 0, chunk)
  else
    members = redis.call('ZRANGEBYLEX', KEYS[1], low, high, 'LIMIT', 0, chunk)
  end
  if #members == 0 then return table.concat(out) end
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
          if with_values then
            out[#out + 1] = struct.pack('>I4I4I4', #member, #info, #value) .. member .. info .. value
          else
            out[#out + 1] = struct.pack('>I4I4', #member, #info) .. member .. info
          end
          found = found + 1
          if found == limit then return table.concat(out) end
        end
      end
    end
  end
  if #members < chunk then return table.concat(out) end
  if reverse then high = '(' .. members[#members] else low = '(' .. members[#members] end
end
