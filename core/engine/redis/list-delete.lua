-- Deletes a list; 0 when it did not exist.
-- KEYS: items, texts, list index
-- ARGV: member
if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[2])
return 1
