// The embedded default backend: SQLite in WAL mode through node:sqlite, which both Bun and Deno
// provide. Writes go through the group commit (group-commit.ts) and write their rows through
// entry-writes.ts, point reads through the read cache (read-cache.ts); lists live in their own
// tables (lists.ts); import's write is restore.ts, the change log changes.ts.

import type {
  Backend,
  BackendBatchOp,
  BackendSnapshot,
  DeleteConditions,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from '../backend.ts'
import { compareBytes, fromUtf8, prefixEnd, utf8 } from '../bytes.ts'
import {
  type ChangeListener,
  type ChangeLogOptions,
  type ChangePage,
  DEFAULT_CHANGE_LOG,
} from '../changes.ts'
import { CONFLICT_MESSAGES, conditionsOfCheck, failedCondition, hasConditions } from '../conditions.ts'
import { ConflictError, UnavailableError } from '../errors.ts'
import { addToStored } from '../numbers.ts'
import { type Entry, type IncrementResult, kindOfCode, type ScanPage, type ScanQuery } from '../types.ts'
import { EXPIRED, SqliteChangeLog } from './changes.ts'
import { Database, type SqliteSyncMode } from './database.ts'
import { ENTRY_COLUMNS, type EntryRow, LIVE, toEntry } from './entry-rows.ts'
import { EntryWrites, type Made } from './entry-writes.ts'
import { GroupCommit } from './group-commit.ts'
import { SqliteLists } from './lists.ts'
import { ReadCache } from './read-cache.ts'
import { restoreEntries } from './restore.ts'

export interface SqliteOptions {
  /** Database file, or ':memory:'. Its folder is created when missing. */
  path: string
  synchronous?: SqliteSyncMode
  /** The change log's retention; null switches it off (nothing is logged, nothing can be watched). */
  changeLog?: ChangeLogOptions | null
}

export class SqliteBackend implements Backend {
  readonly name = 'sqlite'
  private readonly database: Database
  private readonly writer: GroupCommit
  private readonly cache: ReadCache
  private readonly lists: SqliteLists
  private readonly rows: EntryWrites
  private readonly changeLog: SqliteChangeLog | null
  private closed = false
  private readonly path: string

  constructor(options: SqliteOptions) {
    this.path = options.path
    this.database = new Database(options.path, options.synchronous)
    this.writer = new GroupCommit(this.database)
    this.cache = new ReadCache(() => this.database.dataVersion())
    this.lists = new SqliteLists(this.database, this.writer)
    this.changeLog =
      options.changeLog === null
        ? null
        : new SqliteChangeLog(this.database, options.changeLog ?? DEFAULT_CHANGE_LOG, this.writer)
    this.rows = new EntryWrites(this.database, this.cache, this.changeLog)
  }

  get logsChanges(): boolean {
    return this.changeLog !== null
  }

  // --- Entries ---

  get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    // Not async: a cached read settles one promise, not two (this is every request's hot path).
    let entry: Entry | null | undefined
    try {
      entry = this.cache.get(ns, key)
      if (entry === undefined) {
        const row = this.database
          .sql(`SELECT value, ${ENTRY_COLUMNS} FROM entries WHERE ns = :ns AND key = :key`)
          .get({ ns, key }) as EntryRow | undefined
        entry = row ? (toEntry(row) as Entry) : null
        this.cache.set(ns, key, entry)
      }
    } catch (error) {
      return Promise.reject(error)
    }
    return Promise.resolve(
      entry !== null && (entry.expiresAt === null || entry.expiresAt > now) ? entry : null,
    )
  }

  put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    return this.logged(ns, (made) => {
      const { maxKeys } = conditions
      if (hasConditions(conditions) || maxKeys !== undefined) {
        const current = this.rows.liveVersion(ns, key, now)
        const failed = failedCondition(conditions, current)
        if (failed) throw new ConflictError(failed, CONFLICT_MESSAGES[failed])
        if (maxKeys !== undefined && current === null) this.rows.checkQuota(ns, maxKeys, now)
      }
      return this.rows.upsert(ns, key, value, now, made)
    })
  }

  delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean> {
    return this.logged(ns, (made) => {
      if (hasConditions(conditions)) {
        const failed = failedCondition(conditions, this.rows.liveVersion(ns, key, now))
        if (failed) throw new ConflictError(failed, CONFLICT_MESSAGES[failed])
      }
      return this.rows.remove(ns, key, now, made)
    })
  }

  increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult> {
    return this.logged(ns, (made) => {
      const row = this.database
        .sql(`SELECT value, kind FROM entries WHERE ns = :ns AND key = :key AND ${LIVE}`)
        .get({ ns, key, now }) as { value: Uint8Array; kind: number } | undefined
      const sum = addToStored(row ? { kind: kindOfCode(row.kind), text: fromUtf8(row.value) } : null, delta)
      const version = this.rows.upsert(
        ns,
        key,
        { bytes: utf8(sum.text), kind: sum.kind, contentType: null, metadata: null, expiresAt },
        now,
        made,
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
    const rows = this.database
      .sql(
        `SELECT ${withValues ? 'value, ' : ''}${ENTRY_COLUMNS} FROM entries WHERE ${where.join(' AND ')}
       ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT :limit OFFSET :offset`,
      )
      .all({
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
    return this.rows.countLive(ns, prefix, now)
  }

  batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>> {
    return this.logged(ns, (made) => {
      // Every condition is judged against the state before the batch, as on Redis.
      ops.forEach((op, index) => {
        if (op.type !== 'check' && !hasConditions(op)) return
        const current = this.rows.liveVersion(ns, op.key, now)
        const failed = failedCondition(op.type === 'check' ? conditionsOfCheck(op) : op, current)
        if (failed) throw new ConflictError(failed, `condition of operation ${index} failed`, index)
      })
      return ops.map((op) => {
        if (op.type === 'put') {
          return this.rows.upsert(ns, op.key, op.value, now, made)
        }
        if (op.type === 'delete') {
          this.rows.remove(ns, op.key, now, made)
          return null
        }
        return this.rows.liveVersion(ns, op.key, now)
      })
    })
  }

  // --- Lists ---

  listWrite(ns: string, key: Uint8Array, elements: ListElement[], _maxItems: number): Promise<string[]> {
    return this.lists.write(ns, key, elements)
  }

  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.lists.add(ns, key, elements, maxItems)
  }

  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return this.lists.remove(ns, key, canons)
  }

  listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    return this.lists.range(ns, key, start, end)
  }

  listCount(ns: string, key: Uint8Array): Promise<number | null> {
    return this.lists.count(ns, key)
  }

  listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    return this.lists.index(ns, key, canons)
  }

  listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return this.lists.delete(ns, key)
  }

  listKeys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    return this.lists.keys(ns, prefix, limit, after)
  }

  // --- Export and import ---

  restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number> {
    return this.writer.write(() => restoreEntries(this.database, this.cache, ns, entries, overwrite, now))
  }

  /**
   * A read transaction on a connection of its own: under WAL it sees the file as of its first read,
   * whatever the group commit (or another process) writes meanwhile. An in-memory database has no
   * second connection to read it through, hence no snapshot.
   */
  async snapshot(): Promise<BackendSnapshot | null> {
    if (this.path === ':memory:') return null
    const reader = new SqliteBackend({ path: this.path })
    reader.database.connection.exec('BEGIN')
    reader.database.sql('SELECT count(*) FROM namespace_state').get()
    return {
      reader,
      release: async () => {
        reader.database.connection.exec('ROLLBACK')
        await reader.close()
      },
    }
  }

  // --- Maintenance ---

  dropNamespace(ns: string, limit: number): Promise<boolean> {
    return this.writer.write(() => {
      this.cache.clear()
      const { database } = this
      let removed = Number(
        database
          .sql('DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE ns = :ns LIMIT :limit)')
          .run({ ns, limit }).changes,
      )
      if (removed < limit) {
        removed += Number(
          database
            .sql(
              'DELETE FROM list_items WHERE (ns, key, pos) IN (SELECT ns, key, pos FROM list_items WHERE ns = :ns LIMIT :limit)',
            )
            .run({ ns, limit: limit - removed }).changes,
        )
      }
      if (removed < limit) {
        database.sql('DELETE FROM lists WHERE ns = :ns').run({ ns })
        database.sql('DELETE FROM namespace_state WHERE ns = :ns').run({ ns })
        this.changeLog?.drop(ns)
        return true
      }
      return false
    })
  }

  sweep(now: number, limit: number): Promise<number> {
    if (this.changeLog)
      return this.changeLog.sweep(this.writer, now, limit, (ns, key) => this.cache.forget(ns, key))
    return this.writer.write(() =>
      Number(
        this.database.sql(`DELETE FROM entries WHERE rowid IN (${EXPIRED})`).run({ now, limit }).changes,
      ),
    )
  }

  // --- Change log ---

  async changes(ns: string, after: number, limit: number): Promise<ChangePage> {
    if (!this.changeLog) throw new UnavailableError('change-log-off', 'the change log is switched off')
    return this.changeLog.read(ns, after, limit)
  }

  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.changeLog ? this.changeLog.listeners.add(ns, listener) : () => {}
  }

  async ping(): Promise<void> {
    if (this.closed) throw new UnavailableError('closed', 'store is closed')
    this.database.sql('SELECT 1').get()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writer.close()
    this.database.close()
  }

  // --- Internals ---

  /** Runs a write in the group commit with its change records (when the log is on). */
  private logged<T>(ns: string, run: (made: Made) => T): Promise<T> {
    if (this.changeLog) return this.changeLog.write(this.writer, ns, run)
    return this.writer.write(() => run(undefined))
  }
}
