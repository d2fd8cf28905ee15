-- Replaces (or creates) a list. A list is a sorted set of canonical forms scored by position, a
-- hash from canonical form to the text first sent, and a member of the namespace's list index.
-- KEYS: items, texts, list index
-- ARGV: member, then canon and text of each element (already deduplicated)
redis.call('DEL', KEYS[1], KEYS[2])
local at = {}
for i = 2, #ARGV, 2 do at[#at + 1] = i end
store_list_elements(at, 0)
return 1
