// The embedded store's change log. Each write takes its revisions inside its own savepoint (the
// counter is namespace_state.revision); its records are inserted once per group commit, just before
// COMMIT and outside every savepoint, so they share the transaction of the writes they record
// without each write copying the log's pages into its savepoint journal (which cost more than the
// insert itself). Listeners hear the records only once the transaction has committed.

import {
  type Change,
  ChangeListeners,
  type ChangeLogOptions,
  type ChangePage,
  type ChangeType,
  pageOf,
} from '../changes.ts'
import type { Database } from './database.ts'
import type { GroupCommit } from './group-commit.ts'

/** The rowids of up to :limit entries expired at :now (the sweeper's batch). */
export const EXPIRED = 'SELECT rowid FROM entries WHERE expires_at <= :now LIMIT :limit'

const TYPE_CODES: Record<ChangeType, number> = { put: 0, delete: 1, expire: 2 }
const TYPES: ChangeType[] = ['put', 'delete', 'expire']
/** Rows per multi-row INSERT. */
const INSERT_ROWS = 32

interface ChangeRow {
  rev: number
  type: number
  key: Uint8Array
  version: number | null
  expires_at: number | null
  at: number
}

export class SqliteChangeLog {
  readonly listeners = new ChangeListeners()
  /** Records of this transaction's successful writes, by namespace, not yet inserted. */
  private pending = new Map<string, Change[]>()

  constructor(
    private readonly database: Database,
    private readonly options: ChangeLogOptions,
    writer: GroupCommit,
  ) {
    writer.hooks = { beforeCommit: () => this.flush(), afterRollback: () => this.pending.clear() }
  }

  /**
   * Adds one record to `made`, the write's own list, under the next revision (a put passes the one
   * its upsert already took). Runs inside the write's savepoint; the row is inserted at commit.
   */
  record(
    made: Change[],
    ns: string,
    type: ChangeType,
    key: Uint8Array,
    version: number | null,
    expiresAt: number | null,
    now: number,
    taken?: number,
  ): void {
    made.push({ revision: taken ?? this.nextRevision(ns), type, key, version, expiresAt, at: now })
  }

  /** Runs a write in the group commit with a list for its records, heard by listeners once committed. */
  write<T>(writer: GroupCommit, ns: string, run: (made: Change[]) => T): Promise<T> {
    const made: Change[] = []
    return writer
      .write(() => {
        made.length = 0
        const value = run(made)
        // Only a write that succeeded gets here: a failed one's records go with its savepoint.
        this.keep(ns, made)
        return value
      })
      .then((value) => {
        this.listeners.emit(ns, made)
        return value
      })
  }

  /** Deletes expired entries, each recorded as an expiry of its namespace; `forget` drops it from the read cache. */
  sweep(
    writer: GroupCommit,
    now: number,
    limit: number,
    forget: (ns: string, key: Uint8Array) => void,
  ): Promise<number> {
    const made = new Map<string, Change[]>()
    return writer
      .write(() => {
        made.clear()
        const removed = this.database
          .sql(`DELETE FROM entries WHERE rowid IN (${EXPIRED}) RETURNING ns, key`)
          .all({ now, limit }) as unknown as Array<{ ns: string; key: Uint8Array }>
        for (const { ns, key } of removed) {
          const list = made.get(ns) ?? []
          made.set(ns, list)
          forget(ns, key)
          this.record(list, ns, 'expire', key, null, null, now)
        }
        for (const [ns, list] of made) this.keep(ns, list)
        return removed.length
      })
      .then((count) => {
        for (const [ns, changes] of made) this.listeners.emit(ns, changes)
        return count
      })
  }

  read(ns: string, after: number, limit: number): ChangePage {
    const head =
      (
        this.database.sql('SELECT revision FROM namespace_state WHERE ns = :ns').get({ ns }) as
          | { revision: number }
          | undefined
      )?.revision ?? 0
    const rows = this.database
      .sql(
        'SELECT rev, type, key, version, expires_at, at FROM changes WHERE ns = :ns AND rev > :after ORDER BY rev LIMIT :limit',
      )
      .all({
        ns,
        after: Math.max(0, Math.min(after, Number.MAX_SAFE_INTEGER)),
        limit,
      }) as unknown as ChangeRow[]
    return pageOf(rows.map(toChange), after, head, limit)
  }

  /** Removes a dropped namespace's records. */
  drop(ns: string): void {
    // Records of writes earlier in this same transaction are not inserted yet: they go too.
    this.pending.delete(ns)
    this.database.sql('DELETE FROM changes WHERE ns = :ns').run({ ns })
  }

  private keep(ns: string, made: Change[]): void {
    if (made.length === 0) return
    const list = this.pending.get(ns)
    if (list) list.push(...made)
    else this.pending.set(ns, [...made])
  }

  private nextRevision(ns: string): number {
    const bumped = this.database
      .sql('UPDATE namespace_state SET revision = revision + 1 WHERE ns = :ns RETURNING revision')
      .get({ ns }) as { revision: number } | undefined
    if (bumped) return bumped.revision
    this.database
      .sql('INSERT INTO namespace_state (ns, version, stored_keys, revision) VALUES (:ns, 0, 0, 1)')
      .run({ ns })
    return 1
  }

  /** Inserts this transaction's records, then trims each namespace written to by count and by age. */
  private flush(): void {
    if (this.pending.size === 0) return
    const { database, options } = this
    const pending = this.pending
    this.pending = new Map()
    const rows: unknown[] = []
    const insert = (count: number) => {
      const values = Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')
      database
        .sql(`INSERT INTO changes (ns, rev, type, key, version, expires_at, at) VALUES ${values}`)
        .run(...(rows as []))
      rows.length = 0
    }
    for (const [ns, changes] of pending) {
      for (const change of changes) {
        rows.push(
          ns,
          change.revision,
          TYPE_CODES[change.type],
          change.key,
          change.version,
          change.expiresAt,
          change.at,
        )
        if (rows.length === INSERT_ROWS * 7) insert(INSERT_ROWS)
      }
    }
    if (rows.length > 0) insert(rows.length / 7)
    for (const [ns, changes] of pending) {
      const last = changes[changes.length - 1]!
      if (last.revision > options.maxEntries) {
        database
          .sql('DELETE FROM changes WHERE ns = ? AND rev <= ?')
          .run(ns, last.revision - options.maxEntries)
      }
      // The oldest row comes first in the key order: one row read says whether any is too old.
      const cutoff = last.at - options.maxAgeMs
      const oldest = database.sql('SELECT at FROM changes WHERE ns = ? ORDER BY rev LIMIT 1').get(ns) as
        | { at: number }
        | undefined
      if (oldest && oldest.at < cutoff) {
        database
          .sql(
            'DELETE FROM changes WHERE ns = ? AND rev IN (SELECT rev FROM changes WHERE ns = ? ORDER BY rev LIMIT 1000) AND at < ?',
          )
          .run(ns, ns, cutoff)
      }
    }
  }
}

const toChange = (row: ChangeRow): Change => ({
  revision: row.rev,
  type: TYPES[row.type] ?? 'put',
  key: row.key,
  version: row.version,
  expiresAt: row.expires_at,
  at: row.at,
})
