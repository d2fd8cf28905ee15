-- Removes elements by canonical form; an emptied list goes on existing.
-- KEYS: items, texts, list index
-- ARGV: member, then the canonical forms to remove
-- Returns { 'none' } when the list does not exist, else { 'ok', text... }.
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return { 'none' } end
local canons = {}
for i = 2, #ARGV do canons[#canons + 1] = ARGV[i] end
if #canons > 0 then
  call_chunked('ZREM', KEYS[1], canons)
  call_chunked('HDEL', KEYS[2], canons)
end
local out = { 'ok' }
for _, text in ipairs(list_texts(KEYS[1], KEYS[2], redis.call('ZRANGE', KEYS[1], 0, -1))) do
  out[#out + 1] = text
end
return out
