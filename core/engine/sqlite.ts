// The embedded default backend: SQLite in WAL mode through node:sqlite, which both Bun and Deno provide.
//
// Writes are group-committed: every mutation that arrives while the event loop is busy joins one
// transaction, each inside its own savepoint (so a failing one changes nothing), and no promise
// resolves before COMMIT returns. Under synchronous=NORMAL a committed write survives a killed
// process; under FULL it also survives power loss.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import type {
  Backend,
  BackendBatchOp,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from './backend.ts'
import { compareBytes, fromUtf8, prefixEnd, utf8 } from './bytes.ts'
import { CONFLICT_MESSAGES, failedCheck, failedCondition, hasConditions } from './conditions.ts'
import { ConflictError, EngineError, InvalidError, QuotaExceededError, UnavailableError } from './errors.ts'
import { addToStored } from './numbers.ts'
import { EntryCache } from './sqlite-cache.ts'
import type { Entry, IncrementResult, ScanEntry, ScanPage, ScanQuery, ValueKind } from './types.ts'

export type SqliteSyncMode = 'off' | 'normal' | 'full'

export interface SqliteOptions {
  /** Database file, or ':memory:'. Its folder is created when missing. */
  path: string
  synchronous?: SqliteSyncMode
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  kind INTEGER NOT NULL,
  content_type TEXT,
  metadata TEXT,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  UNIQUE (ns, key)
);
CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS namespace_state (
  ns TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  stored_keys INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entries_count_insert AFTER INSERT ON entries BEGIN
  UPDATE namespace_state SET stored_keys = stored_keys + 1 WHERE ns = NEW.ns;
END;
CREATE TRIGGER IF NOT EXISTS entries_count_delete AFTER DELETE ON entries BEGIN
  UPDATE namespace_state SET stored_keys = stored_keys - 1 WHERE ns = OLD.ns;
END;
CREATE TABLE IF NOT EXISTS lists (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  next_pos INTEGER NOT NULL,
  length INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_items (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  pos INTEGER NOT NULL,
  canon TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (ns, key, pos),
  UNIQUE (ns, key, canon)
) WITHOUT ROWID;
`

const KIND_CODES: Record<ValueKind, number> = { bytes: 0, text: 1, json: 2, int: 3, float: 4 }
const KINDS: ValueKind[] = ['bytes', 'text', 'json', 'int', 'float']

interface EntryRow {
  key: Uint8Array
  value?: Uint8Array
  kind: number
  content_type: string | null
  metadata: string | null
  version: number
  updated_at: number
  expires_at: number | null
}

interface PendingWrite {
  run: () => unknown
  resolve: (value: any) => void
  reject: (error: unknown) => void
}

const ENTRY_COLUMNS = 'key, kind, content_type, metadata, version, updated_at, expires_at'
const LIVE = '(expires_at IS NULL OR expires_at > :now)'
const defer: (callback: () => void) => void =
  (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ??
  ((callback) => setTimeout(callback, 0))

export class SqliteBackend implements Backend {
  readonly name = 'sqlite'
  private readonly db: DatabaseSync
  private readonly statements = new Map<string, StatementSync>()
  private pending: PendingWrite[] = []
  private flushing = false
  private closed = false
  private readonly cache = new EntryCache()
  private cacheValidated = false
  private dataVersion = -1

  constructor(options: SqliteOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
    this.db = new DatabaseSync(options.path)
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous ?? 'normal'};`)
    this.db.exec('PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = OFF;')
    this.db.exec(SCHEMA)
  }

  // --- Entries ---

  async get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    this.validateCache()
    let entry = this.cache.get(ns, key)
    if (entry === undefined) {
      const row = this.sql(`SELECT value, ${ENTRY_COLUMNS} FROM entries WHERE ns = :ns AND key = :key`).get({
        ns,
        key,
      }) as EntryRow | undefined
      entry = row ? (toEntry(row) as Entry) : null
      this.cache.set(ns, key, entry)
    }
    return entry && (entry.expiresAt === null || entry.expiresAt > now) ? entry : null
  }

  put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    return this.write(() => {
      const { maxKeys } = conditions
      if (hasConditions(conditions) || maxKeys !== undefined) {
        const current = this.liveVersion(ns, key, now)
        const failed = failedCondition(conditions, current)
        if (failed) throw new ConflictError(failed, CONFLICT_MESSAGES[failed])
        if (maxKeys !== undefined && current === null) this.checkQuota(ns, maxKeys, now)
      }
      return this.upsert(ns, key, value, now)
    })
  }

  delete(ns: string, key: Uint8Array, ifVersion: number | undefined, now: number): Promise<boolean> {
    return this.write(() => {
      if (ifVersion !== undefined) {
        const failed = failedCondition({ ifVersion }, this.liveVersion(ns, key, now))
        if (failed) throw new ConflictError(failed, CONFLICT_MESSAGES[failed])
      }
      this.cache.forget(ns, key)
      const removed = this.sql('DELETE FROM entries WHERE ns = :ns AND key = :key RETURNING expires_at').get({
        ns,
        key,
      }) as { expires_at: number | null } | undefined
      return removed !== undefined && (removed.expires_at === null || removed.expires_at > now)
    })
  }

  increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult> {
    return this.write(() => {
      const row = this.sql(`SELECT value, kind FROM entries WHERE ns = :ns AND key = :key AND ${LIVE}`).get({
        ns,
        key,
        now,
      }) as { value: Uint8Array; kind: number } | undefined
      const sum = addToStored(row ? { kind: KINDS[row.kind]!, text: fromUtf8(row.value) } : null, delta)
      const version = this.upsert(
        ns,
        key,
        { bytes: utf8(sum.text), kind: sum.kind, contentType: null, metadata: null, expiresAt },
        now,
      )
      return { value: sum.value, kind: sum.kind, version }
    })
  }

  async scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage> {
    const { prefix, cursor, reverse = false, withValues = false, offset = 0, limit } = query
    let lower: { key: Uint8Array; inclusive: boolean } | null = prefix?.length
      ? { key: prefix, inclusive: true }
      : null
    let upper = prefix?.length ? prefixEnd(prefix) : null
    if (cursor && !reverse && (!lower || compareBytes(cursor, lower.key) >= 0))
      lower = { key: cursor, inclusive: false }
    if (cursor && reverse && (!upper || compareBytes(cursor, upper) < 0)) upper = cursor
    const where = [
      'ns = :ns',
      lower ? (lower.inclusive ? 'key >= :lower' : 'key > :lower') : '',
      upper ? 'key < :upper' : '',
      LIVE,
    ].filter(Boolean)
    const rows = this.sql(
      `SELECT ${withValues ? 'value, ' : ''}${ENTRY_COLUMNS} FROM entries WHERE ${where.join(' AND ')}
       ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT :limit OFFSET :offset`,
    ).all({
      ns,
      now,
      limit: limit + 1,
      offset,
      ...(lower ? { lower: lower.key } : {}),
      ...(upper ? { upper } : {}),
    }) as unknown as EntryRow[]
    const more = rows.length > limit
    const entries = (more ? rows.slice(0, limit) : rows).map(toEntry)
    return { entries, cursor: more && entries.length > 0 ? entries[entries.length - 1]!.key : null }
  }

  async count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    return this.countLive(ns, prefix, now)
  }

  batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>> {
    return this.write(() => {
      // Every condition is judged against the state before the batch, as on Redis.
      ops.forEach((op, index) => {
        if (op.type !== 'check' && !hasConditions(op)) return
        const current = this.liveVersion(ns, op.key, now)
        const failed = op.type === 'check' ? failedCheck(op, current) : failedCondition(op, current)
        if (failed) throw new ConflictError(failed, `condition of operation ${index} failed`, index)
      })
      return ops.map((op) => {
        if (op.type === 'put') return this.upsert(ns, op.key, op.value, now)
        if (op.type === 'delete') {
          this.cache.forget(ns, op.key)
          this.sql('DELETE FROM entries WHERE ns = :ns AND key = :key').run({ ns, key: op.key })
          return null
        }
        return this.liveVersion(ns, op.key, now)
      })
    })
  }

  // --- Lists ---

  listWrite(ns: string, key: Uint8Array, elements: ListElement[], _maxItems: number): Promise<string[]> {
    return this.write(() => {
      this.sql('DELETE FROM list_items WHERE ns = :ns AND key = :key').run({ ns, key })
      this.sql(
        `INSERT INTO lists (ns, key, next_pos, length) VALUES (:ns, :key, :length, :length)
         ON CONFLICT (ns, key) DO UPDATE SET next_pos = :length, length = :length`,
      ).run({ ns, key, length: elements.length })
      const insert = this.sql(
        'INSERT INTO list_items (ns, key, pos, canon, text) VALUES (:ns, :key, :pos, :canon, :text)',
      )
      elements.forEach(({ canon, text }, pos) => {
        insert.run({ ns, key, pos, canon, text })
      })
      return elements.map((element) => element.text)
    })
  }

  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.write(() => {
      const head = this.listHead(ns, key) ?? { next_pos: 0, length: 0 }
      const insert = this.sql(
        'INSERT OR IGNORE INTO list_items (ns, key, pos, canon, text) VALUES (:ns, :key, :pos, :canon, :text)',
      )
      let { next_pos: nextPos, length } = head
      for (const { canon, text } of elements) {
        if (insert.run({ ns, key, pos: nextPos, canon, text }).changes > 0) {
          nextPos++
          length++
        }
      }
      // Thrown inside this write's savepoint, so the inserts above are undone.
      if (length > maxItems) throw new InvalidError('list-size', `a list holds at most ${maxItems} items`)
      this.saveListHead(ns, key, nextPos, length)
      return this.listTexts(ns, key)
    })
  }

  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return this.write(() => {
      const head = this.listHead(ns, key)
      if (!head) return null
      const remove = this.sql('DELETE FROM list_items WHERE ns = :ns AND key = :key AND canon = :canon')
      let removed = 0
      for (const canon of canons) removed += Number(remove.run({ ns, key, canon }).changes)
      this.saveListHead(ns, key, head.next_pos, head.length - removed)
      return this.listTexts(ns, key)
    })
  }

  async listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    const head = this.listHead(ns, key)
    if (!head) return null
    const first = start < 0 ? Math.max(head.length + start, 0) : start
    const last = end < 0 ? head.length + end : Math.min(end, head.length - 1)
    if (first > last || first >= head.length) return []
    const rows = this.sql(
      'SELECT text FROM list_items WHERE ns = :ns AND key = :key ORDER BY pos LIMIT :limit OFFSET :offset',
    ).all({ ns, key, limit: last - first + 1, offset: first }) as unknown as Array<{ text: string }>
    return rows.map((row) => row.text)
  }

  async listCount(ns: string, key: Uint8Array): Promise<number | null> {
    return this.listHead(ns, key)?.length ?? null
  }

  async listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    if (!this.listHead(ns, key)) return null
    const positionOf = this.sql('SELECT pos FROM list_items WHERE ns = :ns AND key = :key AND canon = :canon')
    let first: number | null = null
    for (const canon of canons) {
      const row = positionOf.get({ ns, key, canon }) as { pos: number } | undefined
      if (row && (first === null || row.pos < first)) first = row.pos
    }
    if (first === null) return -1
    const before = this.sql(
      'SELECT count(*) AS n FROM list_items WHERE ns = :ns AND key = :key AND pos < :pos',
    ).get({
      ns,
      key,
      pos: first,
    }) as { n: number }
    return before.n
  }

  listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return this.write(() => {
      this.sql('DELETE FROM list_items WHERE ns = :ns AND key = :key').run({ ns, key })
      return this.sql('DELETE FROM lists WHERE ns = :ns AND key = :key').run({ ns, key }).changes > 0
    })
  }

  async listKeys(ns: string, prefix: Uint8Array | undefined, limit: number): Promise<Uint8Array[]> {
    const upper = prefix?.length ? prefixEnd(prefix) : null
    const rows = this.sql(
      `SELECT key FROM lists WHERE ns = :ns AND key >= :lower ${upper ? 'AND key < :upper' : ''} ORDER BY key LIMIT :limit`,
    ).all({
      ns,
      lower: prefix ?? new Uint8Array(0),
      limit,
      ...(upper ? { upper } : {}),
    }) as unknown as Array<{
      key: Uint8Array
    }>
    return rows.map((row) => row.key)
  }

  // --- Maintenance ---

  dropNamespace(ns: string, limit: number): Promise<boolean> {
    return this.write(() => {
      this.cache.clear()
      let removed = Number(
        this.sql(
          'DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE ns = :ns LIMIT :limit)',
        ).run({
          ns,
          limit,
        }).changes,
      )
      if (removed < limit) {
        removed += Number(
          this.sql(
            'DELETE FROM list_items WHERE (ns, key, pos) IN (SELECT ns, key, pos FROM list_items WHERE ns = :ns LIMIT :limit)',
          ).run({ ns, limit: limit - removed }).changes,
        )
      }
      if (removed < limit) {
        this.sql('DELETE FROM lists WHERE ns = :ns').run({ ns })
        this.sql('DELETE FROM namespace_state WHERE ns = :ns').run({ ns })
        return true
      }
      return false
    })
  }

  sweep(now: number, limit: number): Promise<number> {
    return this.write(() =>
      Number(
        this.sql(
          'DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE expires_at <= :now LIMIT :limit)',
        ).run({ now, limit }).changes,
      ),
    )
  }

  async ping(): Promise<void> {
    if (this.closed) throw new UnavailableError('closed', 'store is closed')
    this.sql('SELECT 1').get()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    while (this.pending.length > 0 || this.flushing) await new Promise((resolve) => setTimeout(resolve, 1))
    this.db.close()
  }

  // --- Internals ---

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text)
    if (!statement) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  /**
   * Empties the read cache when another connection has committed since the last look: at most one
   * look per event-loop turn, since reads within one turn cannot be ordered against another process.
   */
  private validateCache(): void {
    if (this.cacheValidated) return
    this.cacheValidated = true
    defer(() => {
      this.cacheValidated = false
    })
    const { data_version: version } = this.sql('PRAGMA data_version').get() as { data_version: number }
    if (version !== this.dataVersion) {
      this.cache.clear()
      this.dataVersion = version
    }
  }

  /** Queues a mutation for the next group commit; resolves once it is committed. */
  private write<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError('closed', 'store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject })
      if (this.pending.length === 1 && !this.flushing) defer(() => this.flush())
    })
  }

  private flush(): void {
    const writes = this.pending
    this.pending = []
    if (writes.length === 0) return
    this.flushing = true
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = []
    try {
      this.sql('BEGIN IMMEDIATE').run()
      for (const write of writes) {
        this.sql('SAVEPOINT write').run()
        try {
          outcomes.push({ ok: true, value: write.run() })
          this.sql('RELEASE write').run()
        } catch (error) {
          this.sql('ROLLBACK TO write').run()
          this.sql('RELEASE write').run()
          outcomes.push({ ok: false, error: storeError(error) })
        }
      }
      this.sql('COMMIT').run()
    } catch (error) {
      // The transaction itself failed: nothing was written, so nothing may be acknowledged.
      if (this.db.isTransaction) this.db.exec('ROLLBACK')
      this.flushing = false
      for (const write of writes) write.reject(storeError(error))
      if (this.pending.length > 0) defer(() => this.flush())
      return
    }
    this.flushing = false
    writes.forEach((write, index) => {
      const outcome = outcomes[index]!
      if (outcome.ok) write.resolve(outcome.value)
      else write.reject(outcome.error)
    })
    if (this.pending.length > 0) defer(() => this.flush())
  }

  private upsert(ns: string, key: Uint8Array, value: StoredValue, now: number): number {
    this.cache.forget(ns, key)
    const { version } = this.sql(
      `INSERT INTO namespace_state (ns, version, stored_keys) VALUES (:ns, 1, 0)
       ON CONFLICT (ns) DO UPDATE SET version = version + 1 RETURNING version`,
    ).get({ ns }) as { version: number }
    this.sql(
      `INSERT INTO entries (ns, key, value, kind, content_type, metadata, version, updated_at, expires_at)
       VALUES (:ns, :key, :value, :kind, :contentType, :metadata, :version, :now, :expiresAt)
       ON CONFLICT (ns, key) DO UPDATE SET value = :value, kind = :kind, content_type = :contentType,
         metadata = :metadata, version = :version, updated_at = :now, expires_at = :expiresAt`,
    ).run({
      ns,
      key,
      value: value.bytes,
      kind: KIND_CODES[value.kind],
      contentType: value.contentType,
      metadata: value.metadata,
      version,
      now,
      expiresAt: value.expiresAt,
    })
    return version
  }

  private liveVersion(ns: string, key: Uint8Array, now: number): number | null {
    const row = this.sql(`SELECT version FROM entries WHERE ns = :ns AND key = :key AND ${LIVE}`).get({
      ns,
      key,
      now,
    }) as { version: number } | undefined
    return row?.version ?? null
  }

  /** Stored keys include expired ones not yet swept: only when they reach the quota is it worth counting exactly. */
  private checkQuota(ns: string, maxKeys: number, now: number): void {
    const state = this.sql('SELECT stored_keys FROM namespace_state WHERE ns = :ns').get({ ns }) as
      | { stored_keys: number }
      | undefined
    if ((state?.stored_keys ?? 0) < maxKeys) return
    if (this.countLive(ns, undefined, now) >= maxKeys) throw new QuotaExceededError('keys')
  }

  private countLive(ns: string, prefix: Uint8Array | undefined, now: number): number {
    const upper = prefix?.length ? prefixEnd(prefix) : null
    const row = this.sql(
      `SELECT count(*) AS n FROM entries WHERE ns = :ns AND key >= :lower ${upper ? 'AND key < :upper' : ''} AND ${LIVE}`,
    ).get({ ns, now, lower: prefix ?? new Uint8Array(0), ...(upper ? { upper } : {}) }) as { n: number }
    return row.n
  }

  private listHead(ns: string, key: Uint8Array): { next_pos: number; length: number } | undefined {
    return this.sql('SELECT next_pos, length FROM lists WHERE ns = :ns AND key = :key').get({ ns, key }) as
      | { next_pos: number; length: number }
      | undefined
  }

  private saveListHead(ns: string, key: Uint8Array, nextPos: number, length: number): void {
    this.sql(
      `INSERT INTO lists (ns, key, next_pos, length) VALUES (:ns, :key, :nextPos, :length)
       ON CONFLICT (ns, key) DO UPDATE SET next_pos = :nextPos, length = :length`,
    ).run({ ns, key, nextPos, length })
  }

  private listTexts(ns: string, key: Uint8Array): string[] {
    const rows = this.sql('SELECT text FROM list_items WHERE ns = :ns AND key = :key ORDER BY pos').all({
      ns,
      key,
    }) as unknown as Array<{ text: string }>
    return rows.map((row) => row.text)
  }
}

function toEntry(row: EntryRow): ScanEntry {
  const entry: ScanEntry = {
    key: row.key,
    kind: KINDS[row.kind]!,
    contentType: row.content_type,
    metadata: row.metadata,
    version: row.version,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  }
  if (row.value !== undefined) entry.value = row.value
  return entry
}

/** Engine errors pass through; a busy or locked database is "unavailable"; anything else stays as it is. */
function storeError(error: unknown): unknown {
  if (error instanceof EngineError) return error
  const code = (error as { errcode?: number }).errcode
  // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes in the high bits.
  if (code !== undefined && ((code & 0xff) === 5 || (code & 0xff) === 6)) {
    return new UnavailableError('busy', 'database is busy')
  }
  return error
}
