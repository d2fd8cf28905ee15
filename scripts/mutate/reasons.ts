// Why a mutant that survives the mutation run is left alive, keyed by what it changes (file name and
// a piece of the original text, not line numbers, so the reasons outlive edits elsewhere). The
// first matching reason wins; docs/mutation.md shows each survivor with its reason. Kinds:
// - equivalent: no behaviour any caller can see changes;
// - harmless: only speed, scheduling or memory changes;
// - slow tests: killed by a test file left out of the per-mutant command for its run time;
// - gap: a behaviour no test pins yet, worth a test.

import type { Survivor } from './report.ts'

interface Reason {
  /** The end of the mutated file's path, e.g. "engine/sqlite-cache.ts". */
  file: string
  /** A piece of the original text (whitespace collapsed); omitted = anything in the file. */
  match?: string
  mutator?: string
  why: string
}

const REDIS_FAULTS =
  'slow tests: connection, retry and timeout handling, checked by redis-faults, redis-processes and redis-cluster tests (15-20 s each)'
const DRAIN =
  'harmless: scheduling of the background drain of deleted namespaces, which conformance observes only after it ends'
const FLUSH =
  'harmless: when the next group commit is scheduled; every write still commits, only in other groups'

const REASONS: Reason[] = [
  // core/auth
  {
    file: 'auth/accounts.ts',
    match: "'_accounts'",
    why: 'equivalent: the name of the internal namespace is not seen by clients',
  },
  {
    file: 'auth/accounts.ts',
    match: '[0-9a-f]{32}',
    why: 'equivalent: an id failing the anchors is never stored, so the lookup finds nothing either way',
  },
  {
    file: 'auth/accounts.ts',
    match: '[0-9A-Za-z]+',
    why: 'equivalent: a credential id with other characters finds no record',
  },
  { file: 'auth/accounts.ts', match: 'ACCOUNT_ID.test', why: 'equivalent: a malformed id finds no record' },
  {
    file: 'auth/accounts.ts',
    match: 'TOKEN_PREFIX.length + ID_LENGTH + SECRET_LENGTH',
    why: 'equivalent: a token of another length fails the hash comparison',
  },
  {
    file: 'auth/accounts.ts',
    match: 'true',
    mutator: 'BooleanLiteral',
    why: 'equivalent: ifAbsent on a fresh random id or credential id never meets an existing key',
  },
  {
    file: 'auth/accounts.ts',
    match: 'localeCompare',
    why: 'gap: accounts created in the same millisecond listed by id; the scan already returns them in id order, so only a store that did not would show it',
  },
  { file: 'auth/accounts.ts', match: 'sort(', why: 'gap: see the sort above' },
  {
    file: 'auth/accounts.ts',
    match: 'ConflictError',
    why: 'gap: a rotation racing another retries; the concurrent-rotation test rarely interleaves on one process',
  },
  {
    file: 'auth/accounts.ts',
    match: 'known',
    why: 'harmless: the verified-token memo only skips hashing; a stale memo is caught by the version check on the record read each time',
  },
  {
    file: 'auth/accounts.ts',
    match: 'VERIFIED_TOKENS',
    why: 'harmless: the bound of the verified-token memo (memory only)',
  },
  {
    file: 'auth/accounts.ts',
    match: 'version: entry.version',
    why: 'harmless: the memo misses and the token is hashed again',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'kvgate:admin',
    why: 'equivalent: the plugin name only dedupes mounting',
  },
  {
    file: 'auth/admin-api.ts',
    match: "parse: 'none'",
    why: 'harmless: Elysia would parse a body the route never reads',
  },
  {
    file: 'auth/admin-api.ts',
    match: "'none'",
    why: 'harmless: Elysia would parse a body the route never reads',
  },
  {
    file: 'auth/admin-api.ts',
    match: "''",
    why: 'equivalent: a missing or non-Bearer header fails the token comparison either way',
  },
  {
    file: 'auth/admin-api.ts',
    match: "'Bearer '",
    why: 'gap: a header without "Bearer " is refused by the comparison anyway, unless it held the bare token',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'status: error.status',
    why: 'gap: HttpErrors of the admin API other than 401 and 404 keep their status',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'MalformedJsonError',
    why: 'equivalent: a malformed body is already a 400 HttpError by the time it reaches here',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'NOT_FOUND',
    why: 'gap: routes under /admin that do not exist; the core answers them before this hook in the tests run',
  },
  { file: 'auth/admin-api.ts', match: 'not found', why: 'gap: see NOT_FOUND above' },
  { file: 'auth/admin-api.ts', match: 'status: 404', why: 'gap: see NOT_FOUND above' },
  {
    file: 'auth/admin-api.ts',
    match: 'internal error',
    why: 'gap: an unexpected admin failure, which no test provokes',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'status: 500',
    why: 'gap: an unexpected admin failure, which no test provokes',
  },
  {
    file: 'auth/secrets.ts',
    match: "'base64url'",
    why: 'equivalent: hashes are compared in the form they were made; only stored hashes of an earlier version would no longer match',
  },
  {
    file: 'auth/secrets.ts',
    match: "'\\u0000'",
    why: 'gap: the separator between salt and secret; changing it invalidates stored hashes, which no test keeps across versions',
  },
  {
    file: 'auth/secrets.ts',
    match: "''",
    why: 'gap: the default salt; as above, only stored hashes of an earlier version would show it',
  },
  {
    file: 'auth/secrets.ts',
    match: 'length',
    why: 'equivalent: equal SHA-256 digests of different lengths cannot happen in practice',
  },
  {
    file: 'auth/signed-token.ts',
    match: 'given.length',
    why: 'equivalent: timingSafeEqual throws on unequal lengths and the caller treats that as invalid',
  },
  {
    file: 'auth/signed-token.ts',
    why: 'equivalent: a malformed token is refused later by the base64url or HMAC check',
  },
  // core/engine
  {
    file: 'engine/bytes.ts',
    why: 'equivalent: reading past the end gives undefined, which never equals a prefix byte',
  },
  {
    file: 'engine/canonical-json.ts',
    why: 'equivalent: a valid JSON string both starts and ends with a quote, and anything else is invalid either way',
  },
  {
    file: 'engine/engine.ts',
    match: 'onBackgroundError',
    why: 'harmless: without a handler the sweeper failure would be an unhandled rejection; every caller passes one',
  },
  { file: 'engine/engine.ts', match: 'unref', why: 'equivalent: Bun and Deno timers both have unref' },
  {
    file: 'engine/engine.ts',
    match: "'float'",
    why: "equivalent: backends test for 'int' and treat anything else as float",
  },
  {
    file: 'engine/engine.ts',
    match: 'Keep going',
    why: 'harmless: the yield between sweep batches only lets requests in',
  },
  {
    file: 'engine/engine.ts',
    match: 'closed',
    why: 'harmless: close() twice, or a sweep right after close, does nothing visible',
  },
  {
    file: 'engine/engine.ts',
    match: 'sweepTimer',
    why: 'equivalent: clearInterval of undefined does nothing; an engine without a timer never sets one',
  },
  {
    file: 'engine/namespaces.ts',
    match: "'\\u0000'",
    why: 'gap: the layout of system keys, persisted; no test reads the store across versions',
  },
  {
    file: 'engine/namespaces.ts',
    match: "'_system'",
    why: 'gap: the layout of system keys, persisted; no test reads the store across versions',
  },
  {
    file: 'engine/namespaces.ts',
    match: "'ns'",
    why: 'gap: the layout of system keys, persisted; no test reads the store across versions',
  },
  {
    file: 'engine/namespaces.ts',
    match: "'title'",
    why: 'gap: the layout of system keys, persisted; no test reads the store across versions',
  },
  {
    file: 'engine/namespaces.ts',
    match: "''",
    why: 'equivalent: the stand-in for a missing owner or title only has to be the same everywhere',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'UPDATE_ATTEMPTS',
    why: 'harmless: one more or unbounded retries of an update that keeps losing a race',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'changing too often',
    why: 'gap: the message after 20 lost races, which no test provokes',
  },
  { file: 'engine/namespaces.ts', match: 'draining', why: DRAIN },
  { file: 'engine/namespaces.ts', match: 'setTimeout', why: DRAIN },
  { file: 'engine/namespaces.ts', match: 'onBackgroundError', why: DRAIN },
  {
    file: 'engine/namespaces.ts',
    match: 'cursor',
    why: 'gap: an owner with more namespaces than one scan page',
  },
  { file: 'engine/namespaces.ts', match: '[]', why: 'gap: an owner with more namespaces than one scan page' },
  {
    file: 'engine/namespaces.ts',
    match: 'a.id < b.id',
    why: 'equivalent: ids are read in key order, so equal times are already in id order',
  },
  {
    file: 'engine/namespaces.ts',
    match: '-1',
    why: 'equivalent: ids are read in key order, so equal times are already in id order',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'ns !== null',
    why: 'gap: a namespace deleted between listing its ids and reading it',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'filter',
    why: 'gap: a namespace deleted between listing its ids and reading it',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'null',
    why: 'equivalent: a batch operation on a key made from a missing owner or title touches a key nobody reads',
  },
  {
    file: 'engine/namespaces.ts',
    why: 'gap: retry paths of create, update and delete under concurrent changes',
  },
  {
    file: 'engine/redis/keys.ts',
    why: 'gap: the Redis key layout (persisted); every name is still unique, so no behaviour test tells, but existing data would be lost',
  },
  {
    file: 'engine/redis/scripts.ts',
    why: 'equivalent: the command name registered with ioredis is used through the same name',
  },
  {
    file: 'engine/sqlite-cache.ts',
    why: 'harmless: a second chance more or less changes only which key the cache drops',
  },
  {
    file: 'engine/store.ts',
    why: 'gap: a Redis URL reaching the cluster branch; no fast test tells the two apart',
  },
  {
    file: 'engine/sqlite.ts',
    match: '(code & 0xff)',
    why: 'slow tests: sqlite-busy.test.ts (waits out the 5 s busy timeout) fails with busy errors not mapped to unavailable',
  },
  { file: 'engine/sqlite.ts', match: 'code !== undefined', why: 'slow tests: sqlite-busy.test.ts' },
  { file: 'engine/sqlite.ts', match: 'database is busy', why: 'slow tests: sqlite-busy.test.ts' },
  {
    file: 'engine/sqlite.ts',
    match: "return new UnavailableError('database is busy')",
    why: 'slow tests: sqlite-busy.test.ts',
  },
  { file: 'engine/sqlite.ts', match: 'busy_timeout', why: 'slow tests: sqlite-busy.test.ts' },
  {
    file: 'engine/sqlite.ts',
    match: 'EngineError',
    why: 'equivalent: an EngineError has no errcode, so the busy check passes it through too',
  },
  { file: 'engine/sqlite.ts', match: 'this.pending.length', why: FLUSH },
  { file: 'engine/sqlite.ts', match: 'this.flush()', why: FLUSH },
  { file: 'engine/sqlite.ts', match: 'writes.length === 0', why: FLUSH },
  { file: 'engine/sqlite.ts', match: 'setImmediate', why: FLUSH },
  { file: 'engine/sqlite.ts', match: 'setTimeout', why: FLUSH },
  {
    file: 'engine/sqlite.ts',
    match: 'cacheValidated',
    why: 'harmless: the data_version look happens more or less often; the cross-process test still sees every change',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'dataVersion',
    why: 'harmless: the read cache is emptied more often than needed',
  },
  { file: 'engine/sqlite.ts', match: 'entry === undefined', why: 'harmless: the read cache is bypassed' },
  {
    file: 'engine/sqlite.ts',
    match: '!statement',
    why: 'harmless: statements are prepared again instead of reused',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'true',
    mutator: 'BooleanLiteral',
    why: 'harmless: scheduling flags of the group commit and cache look-up',
  },
  {
    file: 'engine/sqlite.ts',
    match: ':memory:',
    why: 'equivalent: mkdir of "." for an in-memory database does nothing',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'closed',
    why: 'gap: calls on a closed SQLite store; the engine refuses them first, so only a direct backend caller would see it',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'isTransaction',
    why: 'gap: rolling back after a failed COMMIT; SQLite ends the transaction itself on SQLITE_FULL, so the full-disk test cannot tell',
  },
  { file: 'engine/sqlite.ts', match: 'ROLLBACK', why: 'gap: as above' },
  {
    file: 'engine/sqlite.ts',
    match: 'key exists',
    why: 'equivalent: conflict messages are replaced by every dialect with its own',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'version mismatch',
    why: 'equivalent: conflict messages are replaced by every dialect with its own',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'condition of operation',
    why: 'equivalent: dialects answer a batch conflict with their own words and the opIndex',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'ifAbsent || ifVersion',
    why: 'harmless: the current version is read when no condition needs it',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'maxKeys !== undefined',
    why: 'equivalent: checkQuota with no quota compares with undefined and never refuses',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'stored_keys',
    why: 'harmless: the exact count is taken even below the quota',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'wantsState',
    why: 'harmless: conditions are looked up for operations that have none',
  },
  {
    file: 'engine/sqlite.ts',
    match: "op.type === 'put'",
    why: 'harmless: conditions are looked up for operations that have none',
  },
  {
    file: 'engine/sqlite.ts',
    match: "op.type === 'check'",
    why: 'harmless: conditions are looked up for operations that have none',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'current === null',
    why: 'gap: a batch check with exists: true on a key with a live entry but a version check too',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'op.exists === false',
    why: 'gap: a batch check that a key is absent, on SQLite',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'false',
    mutator: 'BooleanLiteral',
    why: 'gap: a batch check that a key is absent, or a namespace drop that stops half way',
  },
  {
    file: 'engine/sqlite.ts',
    match: "op.type === 'delete'",
    why: 'equivalent: a check operation returns its version the same way a delete does not matter',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'compareBytes(cursor',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/sqlite.ts',
    match: '!lower',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/sqlite.ts',
    match: '!upper',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'head.length',
    why: 'equivalent: LIMIT and OFFSET clamp a range past the end of the list already',
  },
  {
    file: 'engine/sqlite.ts',
    match: 'row.pos',
    why: 'gap: two candidates present in one list index query, with the later one first',
  },
  { file: 'engine/sqlite.ts', match: 'first === null', why: 'gap: as above' },
  {
    file: 'engine/sqlite.ts',
    match: 'removed',
    why: 'gap: dropping a namespace larger than one batch (1,000 rows); conformance drops 50 entries',
  },
  { file: 'engine/sqlite.ts', match: 'limit - removed', why: 'gap: as above' },
  { file: 'engine/sqlite.ts', match: '{ ns, key }', why: 'gap: as above' },
  { file: 'engine/sqlite.ts', match: '{ ns }', why: 'gap: as above' },
  {
    file: 'engine/sqlite.ts',
    match: 'row.value !== undefined',
    why: 'equivalent: value undefined is set as an own property only in a scan without values, which nobody reads',
  },
  {
    file: 'engine/sqlite.ts',
    match: "'text'",
    why: 'gap: the stored kind codes (persisted); a wrong name reads back as undefined kind only for text entries',
  },
  {
    file: 'engine/sqlite.ts',
    match: '-1',
    why: 'harmless: the initial data_version only forces one needless cache clear',
  },
  { file: 'engine/sqlite.ts', why: 'gap: not judged one by one' },
  { file: 'engine/redis.ts', match: 'Timeout', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'timeout', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'attempt', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'inFlight', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'deadline', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'lastError', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'closed', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'error', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'OOM|LOADING', why: REDIS_FAULTS },
  { file: 'engine/redis.ts', match: 'unref', why: 'equivalent: Bun and Deno timers both have unref' },
  {
    file: 'engine/redis.ts',
    match: 'enableAutoPipelining',
    why: 'harmless: pipelining only batches round trips',
  },
  {
    file: 'engine/redis.ts',
    match: 'true',
    mutator: 'BooleanLiteral',
    why: 'harmless: ioredis connection flags (offline queue, pipelining, ready check); the fault tests cover their effect',
  },
  {
    file: 'engine/redis.ts',
    match: 'false',
    mutator: 'BooleanLiteral',
    why: 'harmless: ioredis connection flags; the fault tests cover their effect',
  },
  {
    file: 'engine/redis.ts',
    match: 'hint',
    why: 'harmless: when the sweeper is told a namespace has expiring entries; reads hide expired entries regardless, and the sweep test still passes because the set is also written at most every interval',
  },
  {
    file: 'engine/redis.ts',
    match: 'hinted',
    why: 'harmless: the rate at which namespaces are reported to the sweeper',
  },
  {
    file: 'engine/redis.ts',
    match: 'HINT_INTERVAL',
    why: 'harmless: the rate at which namespaces are reported to the sweeper',
  },
  {
    file: 'engine/redis.ts',
    match: 'expiresAt !== null',
    why: 'harmless: the sweeper is told about a namespace without expiring entries',
  },
  {
    file: 'engine/redis.ts',
    match: 'lastIndexOf',
    why: 'slow tests: redis-cluster.test.ts parses its node addresses',
  },
  {
    file: 'engine/redis.ts',
    match: 'node.slice',
    why: 'slow tests: redis-cluster.test.ts parses its node addresses',
  },
  {
    file: 'engine/redis.ts',
    match: 'at + 1',
    why: 'slow tests: redis-cluster.test.ts parses its node addresses',
  },
  {
    file: 'engine/redis.ts',
    match: "':'",
    why: 'slow tests: redis-cluster.test.ts parses its node addresses',
  },
  {
    file: 'engine/redis.ts',
    match: 'host:',
    why: 'slow tests: redis-cluster.test.ts parses its node addresses',
  },
  {
    file: 'engine/redis.ts',
    match: 'redis://127.0.0.1:6379',
    why: 'harmless: the default URL is the one the tests give, so only an unset REDIS_URL would show it',
  },
  {
    file: 'engine/redis.ts',
    match: 'keyCache',
    why: 'harmless: the bound of the namespace key-name cache (memory only)',
  },
  { file: 'engine/redis.ts', match: 'keys)', why: 'harmless: key names are built again instead of cached' },
  {
    file: 'engine/redis.ts',
    match: 'key exists',
    why: 'equivalent: conflict messages are replaced by every dialect with its own',
  },
  {
    file: 'engine/redis.ts',
    match: 'version mismatch',
    why: 'equivalent: conflict messages are replaced by every dialect with its own',
  },
  {
    file: 'engine/redis.ts',
    match: 'condition of operation',
    why: 'equivalent: dialects answer a batch conflict with their own words and the opIndex',
  },
  {
    file: 'engine/redis.ts',
    match: 'a list holds at most',
    why: 'gap: the list limit message from the Redis script path; the engine checks listWrite first',
  },
  {
    file: 'engine/redis.ts',
    match: 'compareBytes(cursor',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/redis.ts',
    match: '!prefix',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/redis.ts',
    match: '!end',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  {
    file: 'engine/redis.ts',
    match: 'entries.length > 0',
    why: 'equivalent: a page with more rows but no entries cannot happen',
  },
  {
    file: 'engine/redis.ts',
    match: 'ops.length === 0',
    why: 'equivalent: the script handles an empty batch the same',
  },
  { file: 'engine/redis.ts', match: 'removed', why: 'gap: dropping a namespace larger than one batch' },
  {
    file: 'engine/redis.ts',
    match: 'left',
    why: 'gap: the sweeper set bookkeeping when a namespace has no expiring entries left',
  },
  {
    file: 'engine/redis.ts',
    match: 'exists(keys.expiring)',
    why: 'gap: a write adding an expiring entry while the sweeper forgets its namespace',
  },
  { file: 'engine/redis.ts', match: 'sadd', why: 'gap: as above' },
  { file: 'engine/redis.ts', match: 'ping', why: REDIS_FAULTS },
  {
    file: 'engine/redis.ts',
    match: "'text'",
    why: 'gap: the stored kind names (persisted) of text and float entries',
  },
  {
    file: 'engine/redis.ts',
    match: "'float'",
    why: 'gap: the stored kind names (persisted) of text and float entries',
  },
  { file: 'engine/redis.ts', match: "'bytes'", why: 'equivalent: bytes is the fallback kind and code 0' },
  {
    file: 'engine/redis.ts',
    match: 'string',
    why: 'gap: the reply shape of a script that answers text rather than bytes',
  },
  {
    file: 'engine/redis.ts',
    match: 'value !== undefined',
    why: 'equivalent: value undefined is set only in a scan without values, which nobody reads',
  },
  { file: 'engine/redis.ts', match: "','", why: 'gap: the packed info field layout (persisted)' },
  { file: 'engine/redis.ts', match: "''", why: 'gap: the packed info field layout (persisted)' },
  { file: 'engine/redis.ts', match: "'0'", why: 'gap: the packed info field layout (persisted)' },
  { file: 'engine/redis.ts', match: "'1'", why: 'gap: the stored kind codes (persisted)' },
  { file: 'engine/redis.ts', match: "'4'", why: 'gap: the stored kind codes (persisted)' },
  {
    file: 'engine/redis.ts',
    match: 'reply[1]',
    why: 'harmless: whether the sweeper is told about a namespace',
  },
  { file: 'engine/redis.ts', match: 'expireInFlight', why: REDIS_FAULTS },
  {
    file: 'engine/redis.ts',
    match: '[]',
    mutator: 'ArrayDeclaration',
    why: 'equivalent: an empty batch answers no versions either way',
  },
  { file: 'engine/redis.ts', match: '!keys', why: 'harmless: key names are built again instead of cached' },
  {
    file: 'engine/redis.ts',
    match: 'expiring',
    why: 'harmless: whether the sweeper is told about a namespace',
  },
  { file: 'engine/redis.ts', match: 'first', why: 'harmless: whether the sweeper is told about a namespace' },
  { file: 'engine/redis.ts', why: 'gap: not judged one by one' },
]

const flat = (text: string) => text.replace(/\s+/g, ' ').trim()

export function explain(survivor: Survivor): string | undefined {
  return REASONS.find(
    (reason) =>
      survivor.file.endsWith(reason.file) &&
      (reason.match === undefined || flat(survivor.original).includes(flat(reason.match))) &&
      (reason.mutator === undefined || reason.mutator === survivor.mutator),
  )?.why
}
