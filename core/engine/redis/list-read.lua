-- Reads a list in one consistent step: a range (ZRANGE by rank follows LRANGE's rules for negative
-- and out-of-range bounds), its length, or the position of the first of several elements.
-- KEYS: items, texts, list index
-- ARGV: member, mode ('range'|'count'|'index'), then start and end, or the canonical forms
-- Returns { 'none' } when the list does not exist, else { 'ok', result... }.
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return { 'none' } end
local mode = ARGV[2]
if mode == 'count' then return { 'ok', redis.call('ZCARD', KEYS[1]) } end
if mode == 'index' then
  local best = -1
  for i = 3, #ARGV do
    local rank = redis.call('ZRANK', KEYS[1], ARGV[i])
    if rank and (best < 0 or rank < best) then best = rank end
  end
  return { 'ok', best }
end
local out = { 'ok' }
for _, text in ipairs(list_texts(KEYS[1], KEYS[2], redis.call('ZRANGE', KEYS[1], ARGV[3], ARGV[4]))) do
  out[#out + 1] = text
end
return out
