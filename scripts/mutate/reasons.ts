// Why a mutant that survives the mutation run is left alive, keyed by what it changes (file name and
// a piece of the original text, not line numbers, so the reasons outlive edits elsewhere). The
// first matching reason wins; docs/mutation.md shows each survivor with its reason. Kinds:
// - equivalent: no behaviour any caller can see changes;
// - harmless: only speed, scheduling or memory changes;
// - slow tests: killed by a test file left out of the per-mutant command for its run time;
// - other tests: killed by a fast test file of another folder, left out of a per-folder run;
// - tested since: a test for it was added after the run that left it alive;
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

const DRAIN =
  'harmless: scheduling of the background drain of deleted namespaces, which conformance observes only after it ends'
const FLUSH =
  'harmless: when the next group commit is scheduled; every write still commits, only in other groups'

const REASONS: Reason[] = [
  // core/auth
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
    match: 'entry.version === known.version',
    why: 'equivalent: a credential record is written once (ifAbsent, under a fresh random id) and only ever deleted, so its version never changes while it exists',
  },
  {
    file: 'auth/accounts.ts',
    match: 'VERIFIED_TOKENS',
    why: 'harmless: the bound of the verified-token memo (memory only)',
  },
  {
    file: 'auth/admin-api.ts',
    match: 'kvgate:admin',
    why: 'equivalent: the plugin name and seed only dedupe mounting',
  },
  {
    file: 'auth/admin-api.ts',
    match: "''",
    why: 'equivalent: a request without a bearer token fails the comparison with the admin token either way',
  },
  {
    file: 'auth/secrets.ts',
    match: 'length',
    why: 'equivalent: equal SHA-256 digests of inputs of different lengths cannot happen in practice',
  },
  {
    file: 'auth/signed-token.ts',
    why: 'equivalent: a token with no body, two dots or a non-base64url body is refused later by the base64url or HMAC check (only the key holder can sign a body)',
  },
  // core/engine, top level
  {
    file: 'engine/bytes.ts',
    why: 'equivalent: reading past the end gives undefined, which never equals a prefix byte',
  },
  {
    file: 'engine/canonical-json.ts',
    match: "startsWith('\"')",
    why: 'equivalent: a valid JSON string both starts and ends with a quote, and anything else is invalid either way',
  },
  {
    file: 'engine/conditions.ts',
    match: 'conditions.ifAbsent === true ||',
    why: 'harmless: the live version is read for a write without conditions too, and nothing is judged against it',
  },
  {
    file: 'engine/conditions.ts',
    match: "'a'",
    why: "other tests: presence() is what the Redis scripts get; redis.test.ts, left out of this file's run, kills these",
  },
  {
    file: 'engine/conditions.ts',
    match: "'e'",
    why: 'other tests: as above (redis.test.ts)',
  },
  {
    file: 'engine/conditions.ts',
    match: "conditions.ifAbsent ? 'a'",
    why: 'other tests: as above (redis.test.ts)',
  },
  {
    file: 'engine/conditions.ts',
    match: "''",
    why: "equivalent: the Redis scripts treat anything but 'a' and 'e' as no presence condition",
  },
  {
    file: 'engine/namespace-pages.ts',
    match: 'Math.max',
    why: 'harmless: smaller scan pages, more of them',
  },
  {
    file: 'engine/namespace-pages.ts',
    match: 'true',
    mutator: 'BooleanLiteral',
    why: 'gap: a process listing namespaces it has not read yet (every test lists from the process that made them, whose parsed records stand in for the values)',
  },
  {
    file: 'engine/namespace-pages.ts',
    match: 'page.cursor === null',
    why: 'gap: a filter so sparse that one page of answers needs several scan pages',
  },
  {
    file: 'engine/namespace-pages.ts',
    match: 'query.after === undefined',
    why: 'gap: a first page read with a cursor of "undefined"; ids sorting before it would be skipped, which the paging test should show: to look into',
  },
  {
    file: 'engine/engine.ts',
    match: 'LoadingBackend',
    why: "other tests: store.test.ts (a Redis backend being imported), left out of this file's run for its 2 s",
  },
  {
    file: 'engine/engine.ts',
    match: 'this.current = timed(loaded)',
    why: 'other tests: store.test.ts, as above',
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
    match: 'this.closed',
    why: 'harmless: close() twice, or a sweep right after close, does nothing visible',
  },
  {
    file: 'engine/engine.ts',
    match: 'sweepTimer',
    why: "harmless: clearInterval of undefined does nothing, and a timer left running after close is unref'd and finds the engine closed",
  },
  {
    file: 'engine/errors.ts',
    match: 'opIndex !== undefined',
    why: 'equivalent: ops[undefined] is undefined, so a conflict without an operation index is passed on as it is either way',
  },
  {
    file: 'engine/errors.ts',
    match: "'version'",
    why: 'equivalent: a default reason no caller relies on (every ConflictError names its reason)',
  },
  {
    file: 'engine/errors.ts',
    match: "'keys'",
    why: 'equivalent: a default reason no caller relies on (both backends pass keys)',
  },
  {
    file: 'engine/types.ts',
    match: "'bytes'",
    why: 'equivalent: bytes is the fallback kind and code 0',
  },
  {
    file: 'engine/namespaces.ts',
    match: '!(error instanceof ConflictError)',
    why: 'tested since: a refusal other than a conflict called a taken title; namespaces.test.ts has had a test for it since this run (seen failing by hand)',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'error instanceof ConflictError',
    why: 'gap: delete retrying a store refusal other than a conflict 20 times, then calling it busy',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'error.opIndex === 0 && input.id === undefined',
    why: 'gap: a random 22-character id that collides, which no test can provoke without a seeded random source',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'options.ifVersion !== undefined',
    why: 'equivalent: an ifVersion update that loses its race retries, meets the version check at the top of the loop and throws the same error',
  },
  {
    file: 'engine/namespaces.ts',
    match: "'namespace-changed'",
    why: 'equivalent: as above, the retry throws the same error from the version check',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'attempt++',
    why: 'gap: the bound of 20 tries, which only 20 lost races in a row would show',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'inner !== null',
    why: 'equivalent: primitives, null and already frozen objects are all frozen, so each rewritten test still freezes every object once',
  },
  {
    file: 'engine/namespaces.ts',
    match: "''",
    why: 'equivalent: the stand-in for a missing owner or title only has to be the same everywhere',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'UPDATE_ATTEMPTS',
    why: 'harmless: one more, or unbounded, retries of an update that keeps losing a race',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'changing too often',
    why: 'gap: the answer after 20 lost races in a row, which no test provokes',
  },
  { file: 'engine/namespaces.ts', match: "'busy'", why: 'gap: as above, the reason after 20 lost races' },
  { file: 'engine/namespaces.ts', match: 'draining', why: DRAIN },
  { file: 'engine/namespaces.ts', match: 'setTimeout', why: DRAIN },
  { file: 'engine/namespaces.ts', match: 'onBackgroundError', why: DRAIN },
  {
    file: 'engine/namespaces.ts',
    match: 'PARSED_NAMESPACES',
    why: 'harmless: the bound of the parsed-record memo (memory only)',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'known',
    why: 'harmless: the parsed-record memo is skipped or used for an unchanged version; the record is read every time',
  },
  {
    file: 'engine/namespaces.ts',
    match: 'typeof inner',
    why: 'equivalent: primitives, null and already frozen objects are all frozen, so each rewritten test still freezes every object once',
  },
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
    match: '[]',
    mutator: 'ArrayDeclaration',
    why: 'equivalent: a made-up owned id is not a namespace id, reads as null and is filtered out',
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
  // core/engine/sqlite
  {
    file: 'sqlite/backend.ts',
    match: "'store is closed'",
    why: 'tested since: the message of a ping after close; sqlite.test.ts checks it since this run',
  },
  {
    file: 'sqlite/backend.ts',
    match: 'entry === undefined',
    why: 'harmless: the read cache is bypassed',
  },
  {
    file: 'sqlite/backend.ts',
    match: 'hasConditions',
    why: 'harmless: the live version is read for a write without conditions too, and nothing is judged against it',
  },
  {
    file: 'sqlite/backend.ts',
    match: 'maxKeys !== undefined',
    why: 'harmless: the live version is read, or the quota checked, where neither can refuse',
  },
  {
    file: 'sqlite/backend.ts',
    match: 'stored_keys ?? 0',
    why: 'harmless: the keys are counted exactly every time instead of only near the quota',
  },
  {
    file: 'sqlite/backend.ts',
    match: 'compareBytes(cursor',
    why: 'gap: a cursor outside the prefix range, which dialects never send',
  },
  { file: 'sqlite/backend.ts', match: '!upper', why: 'gap: as above, a cursor outside the prefix range' },
  {
    file: 'sqlite/backend.ts',
    match: 'removed < limit',
    why: 'equivalent: with a whole batch of entries removed, the list-item delete runs with LIMIT 0 and removes nothing',
  },
  {
    file: 'sqlite/database.ts',
    match: 'busy_timeout',
    why: 'slow tests: sqlite-busy.test.ts waits out the 5 s busy timeout',
  },
  {
    file: 'sqlite/database.ts',
    match: "':memory:'",
    why: "equivalent: mkdir of ':memory:''s folder (the working directory) does nothing",
  },
  {
    file: 'sqlite/database.ts',
    match: '!statement',
    why: 'harmless: statements are prepared again instead of reused',
  },
  {
    file: 'sqlite/database.ts',
    match: 'this.connection.close()',
    why: 'harmless: the connection is left to the garbage collector; nothing is written after close',
  },
  { file: 'sqlite/defer.ts', why: FLUSH },
  {
    file: 'sqlite/entry-rows.ts',
    why: 'equivalent: value undefined is only in a scan without values, which nobody reads',
  },
  {
    file: 'sqlite/group-commit.ts',
    match: 'error instanceof EngineError',
    why: 'equivalent: an EngineError has no errcode, so the busy check passes it on too',
  },
  {
    file: 'sqlite/group-commit.ts',
    match: 'code !== undefined',
    why: 'equivalent: undefined & 0xff is 0, neither 5 nor 6',
  },
  { file: 'sqlite/group-commit.ts', match: 'this.pending.length === 1', why: FLUSH },
  {
    file: 'sqlite/group-commit.ts',
    match: 'this.pending.length > 0',
    why: 'equivalent: a flush runs synchronously, so no write can be queued during it; the check after it always finds none',
  },
  {
    file: 'sqlite/group-commit.ts',
    match: 'this.flush()',
    why: 'equivalent: a flush runs synchronously, so no write can be queued during it; the flush scheduled after it never has one to take',
  },
  { file: 'sqlite/group-commit.ts', match: 'writes.length === 0', why: FLUSH },
  { file: 'sqlite/group-commit.ts', match: 'true', mutator: 'BooleanLiteral', why: FLUSH },
  {
    file: 'sqlite/group-commit.ts',
    match: 'isTransaction',
    why: 'gap: the ROLLBACK after a failed COMMIT; the full-disk test checks the group is refused, not a write after it',
  },
  {
    file: 'sqlite/group-commit.ts',
    match: 'ROLLBACK',
    why: 'gap: as above, the ROLLBACK after a failed COMMIT',
  },
  {
    file: 'sqlite/lists.ts',
    match: 'row.pos <',
    why: 'equivalent: positions in one list are unique, so < and <= pick the same first one',
  },
  {
    file: 'sqlite/lists.ts',
    match: 'head.length',
    why: 'equivalent: SQL LIMIT and OFFSET past the last element return what there is, or nothing',
  },
  {
    file: 'sqlite/read-cache.ts',
    match: 'slot.ns !== ns',
    why: 'gap: two namespaces whose (namespace, key) hashes collide; the hash includes the namespace, so only a crafted collision shows it',
  },
  {
    file: 'sqlite/read-cache.ts',
    match: 'a.length !== b.length',
    why: 'gap: a key and its prefix in one hash slot, which only a crafted collision shows',
  },
  {
    file: 'sqlite/read-cache.ts',
    why: 'harmless: how the read cache hashes, evicts, bounds itself and how often it looks at data_version; a miss costs a read, and a change by another connection is still seen at the next turn (read-cache.test.ts)',
  },
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
