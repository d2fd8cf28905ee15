-- Appends the elements not already present, creating the list when missing; refuses (changing
-- nothing) when the list would hold more than maxItems.
-- KEYS: items, texts, list index
-- ARGV: member, maxItems, then canon and text of each element (already deduplicated)
-- Returns { 'ok', text... } or { 'too_many' }.
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local position = last[2] and (tonumber(last[2]) + 1) or 0
local fresh = {}
for i = 3, #ARGV, 2 do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then fresh[#fresh + 1] = i end
end
if redis.call('ZCARD', KEYS[1]) + #fresh > tonumber(ARGV[2]) then return { 'too_many' } end
store_list_elements(fresh, position)
local out = { 'ok' }
for _, text in ipairs(list_texts(KEYS[1], KEYS[2], redis.call('ZRANGE', KEYS[1], 0, -1))) do
  out[#out + 1] = text
end
return out
