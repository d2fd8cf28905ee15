-- Helpers prepended to every kvgate script. An entry is a hash: v value, k kind code, c content
-- type, m metadata, n version, u updated time, x expiry time (absent when it never expires).
-- Everything but the value is also packed into one field of the namespace's info hash, so a scan
-- reads a whole page of entries with one HMGET:
--   <kind>,<version>,<updated>,<expires or ''>,<content type length or -1>,<metadata length or -1>:<content type><metadata>

-- Redis expires an entry itself this long after its expiry time: reads hide it from its expiry
-- time on by the engine's clock, so the grace only keeps a small clock skew from losing it early.
local EXPIRY_GRACE_MS = 1000
local CHUNK = 1000

-- The version of the entry when it is live at `now`, else false.
local function live_version(entry_key, now)
  local fields = redis.call('HMGET', entry_key, 'n', 'x')
  if not fields[1] then return false end
  if fields[2] and tonumber(fields[2]) <= now then return false end
  return tonumber(fields[1])
end

-- Why a write's conditions fail against the live version `current` (false when there is none),
-- or false when they hold: the reasons of the engine's ConflictError. presence is 'a' (must be
-- absent), 'e' (must exist) or '' (either); if_version is '' for any version.
local function failed_condition(current, presence, if_version)
  if presence == 'a' and current then return 'exists' end
  if presence == 'e' and not current then return 'missing' end
  if if_version ~= '' and current ~= tonumber(if_version) then return 'version' end
  return false
end

-- Live entries of a namespace at `now`: indexed keys minus those whose expiry has passed.
local function live_count(index_key, expiring_key, now)
  return redis.call('ZCARD', index_key) - redis.call('ZCOUNT', expiring_key, '-inf', now)
end

-- The change log (core/engine/changes.ts): a stream whose ids are 0-<revision>, and the counter of
-- revisions. `spec` is '' when the log is off, else '<max entries>,<max age ms>'. Returns false
-- (off) or what log_change needs.
local AGE_TRIM_EVERY, AGE_TRIM_READ = 64, 256
local function change_log(stream, head, spec)
  if spec == '' then return false end
  local max, age = string.match(spec, '^(%d+),(%d+)$')
  return { stream = stream, head = head, max = max, age = tonumber(age) }
end

-- Appends one record (type 'p' put, 'd' delete, 'e' expire) and trims the log: by count at every
-- record, by age every AGE_TRIM_EVERY revisions (the oldest records come first, so a short read finds them).
local function log_change(cl, type, member, version, expires, now)
  if not cl then return end
  local rev = redis.call('INCR', cl.head)
  redis.call('XADD', cl.stream, 'MAXLEN', cl.max, '0-' .. rev,
    't', type, 'k', member, 'n', version or '', 'x', expires or '', 'a', now)
  if rev % AGE_TRIM_EVERY == 0 then
    local cutoff = tonumber(now) - cl.age
    local oldest = redis.call('XRANGE', cl.stream, '-', '+', 'COUNT', AGE_TRIM_READ)
    local keep = nil
    for _, record in ipairs(oldest) do
      if tonumber(record[2][10]) >= cutoff then
        keep = record[1]
        break
      end
    end
    if keep == nil and #oldest > 0 then keep = '0-' .. (tonumber(string.match(oldest[#oldest][1], '%d+$')) + 1) end
    if keep then redis.call('XTRIM', cl.stream, 'MINID', keep) end
  end
end

-- Stores an entry with the given version and updated time, keeping both indexes in step.
-- ct and meta are '' for none, or '=' followed by the text. Returns 1 when this made the
-- namespace's expiry index non-empty (the caller then tells the sweeper about it), else 0.
local function store_entry(ns, member, entry_key, value, kind, ct, meta, expires, version, now)
  local fields = { 'v', value, 'k', kind, 'n', version, 'u', now }
  if #ct > 0 then
    fields[#fields + 1] = 'c'
    fields[#fields + 1] = string.sub(ct, 2)
  end
  if #meta > 0 then
    fields[#fields + 1] = 'm'
    fields[#fields + 1] = string.sub(meta, 2)
  end
  local hint = 0
  if expires ~= '' then
    fields[#fields + 1] = 'x'
    fields[#fields + 1] = expires
  end
  -- The hash is overwritten in place, which costs a third of deleting it and making a new key: the
  -- optional fields this value leaves out go, and with an old expiry field the native expiry.
  redis.call('HSET', entry_key, unpack(fields))
  local stale = {}
  if #ct == 0 then stale[#stale + 1] = 'c' end
  if #meta == 0 then stale[#stale + 1] = 'm' end
  if expires == '' then stale[#stale + 1] = 'x' end
  if #stale > 0 and redis.call('HDEL', entry_key, unpack(stale)) > 0 and expires == '' then
    redis.call('PERSIST', entry_key)
  end
  local c = #ct > 0 and string.sub(ct, 2) or ''
  local m = #meta > 0 and string.sub(meta, 2) or ''
  redis.call('HSET', ns.info, member, table.concat({
    kind, string.format('%d', version), now, expires, #ct > 0 and #c or -1, #meta > 0 and #m or -1,
  }, ',') .. ':' .. c .. m)
  redis.call('ZADD', ns.index, 0, member)
  log_change(ns.log, 'p', member, version, expires, now)
  if expires ~= '' then
    redis.call('PEXPIREAT', entry_key, tonumber(expires) + EXPIRY_GRACE_MS)
    if redis.call('ZCARD', ns.expiring) == 0 then hint = 1 end
    redis.call('ZADD', ns.expiring, expires, member)
  else
    redis.call('ZREM', ns.expiring, member)
  end
  return hint
end

-- Replaces an entry with a new value and a new namespace version. Returns the version, and the
-- sweeper hint of store_entry.
local function write_entry(ns, member, entry_key, value, kind, ct, meta, expires, now)
  local version = redis.call('INCR', ns.version)
  return version, store_entry(ns, member, entry_key, value, kind, ct, meta, expires, version, now)
end

-- The expiry time in a packed info field, or false when it never expires.
local function info_expiry(info)
  local expires = string.match(info, '^%d+,%d+,%d+,(%d*),')
  return expires ~= '' and tonumber(expires)
end

-- Removes an entry: its hash, and its place in the index, the expiry index and the info hash.
local function remove_entry(ns, member, entry_key)
  redis.call('DEL', entry_key)
  redis.call('ZREM', ns.index, member)
  redis.call('ZREM', ns.expiring, member)
  redis.call('HDEL', ns.info, member)
end

-- Removes an entry and records it: a delete when it was live at `now`, an expiry when it had
-- expired unswept, nothing when there was none. Returns whether it was live.
local function remove_logged(ns, member, entry_key, now)
  local current = live_version(entry_key, now)
  local existed = current or redis.call('EXISTS', entry_key) == 1
  remove_entry(ns, member, entry_key)
  if current then
    log_change(ns.log, 'd', member, false, false, now)
  elseif existed then
    log_change(ns.log, 'e', member, false, false, now)
  end
  return current and true or false
end

-- Calls a command with a long argument list in chunks, so no call exceeds Lua's stack.
local function call_chunked(command, key, items, callback)
  for i = 1, #items, CHUNK do
    local result = redis.call(command, key, unpack(items, i, math.min(i + CHUNK - 1, #items)))
    if callback then callback(result) end
  end
end

-- Stores list elements: for each i in `at`, canon ARGV[i] scored by position (from `position` on)
-- in the items set, and its text ARGV[i + 1] in the texts hash; then names the list in the
-- namespace's list index. KEYS are those of the list scripts: items, texts, list index.
local function store_list_elements(at, position)
  local scored, texts = {}, {}
  for _, i in ipairs(at) do
    scored[#scored + 1] = position
    scored[#scored + 1] = ARGV[i]
    texts[#texts + 1] = ARGV[i]
    texts[#texts + 1] = ARGV[i + 1]
    position = position + 1
  end
  if #scored > 0 then
    call_chunked('ZADD', KEYS[1], scored)
    call_chunked('HSET', KEYS[2], texts)
  end
  redis.call('ZADD', KEYS[3], 0, ARGV[1])
end

-- The element texts of a list, in order.
local function list_texts(items_key, texts_key, canons)
  local out = {}
  call_chunked('HMGET', texts_key, canons, function(part)
    for _, text in ipairs(part) do out[#out + 1] = text end
  end)
  return out
end
