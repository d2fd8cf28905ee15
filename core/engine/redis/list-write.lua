-- Replaces (or creates) a list. A list is a sorted set of canonical forms scored by position, a
-- hash from canonical form to the text first sent, and a member of the namespace's list index.
-- KEYS: items, texts, list index
-- ARGV: member, then canon and text of each element (already deduplicated)
redis.call('DEL', KEYS[1], KEYS[2])
local scored, texts = {}, {}
for i = 2, #ARGV, 2 do
  scored[#scored + 1] = (i - 2) / 2
  scored[#scored + 1] = ARGV[i]
  texts[#texts + 1] = ARGV[i]
  texts[#texts + 1] = ARGV[i + 1]
end
if #scored > 0 then
  call_chunked('ZADD', KEYS[1], scored)
  call_chunked('HSET', KEYS[2], texts)
end
redis.call('ZADD', KEYS[3], 0, ARGV[1])
return 1
