// The embedded store's change log: rows written inside the same transaction as the mutation they
// record, and handed to this process's listeners only once that transaction has committed.

import {
  AGE_TRIM_EVERY,
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
  /** How often (in revisions) the log is trimmed: often for a small log, every AGE_TRIM_EVERY for a large one. */
  private readonly trimEvery: number

  constructor(
    private readonly database: Database,
    private readonly options: ChangeLogOptions,
  ) {
    this.trimEvery = Math.max(1, Math.min(AGE_TRIM_EVERY, Math.floor(options.maxEntries / 16)))
  }

  /**
   * Writes one record (inside the caller's transaction) and adds it to `made`, the write's own list.
   * A put passes the revision its upsert already took; a delete or expiry takes the next one here.
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
    const { database, options } = this
    const rev = taken ?? this.nextRevision(ns)
    // Positional parameters: this runs on every write, and binding by name costs more.
    database
      .sql('INSERT INTO changes (ns, rev, type, key, version, expires_at, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(ns, rev, TYPE_CODES[type], key, version, expiresAt, now)
    // Trimmed every few records, not at each: retention by count runs up to trimEvery - 1 over.
    if (rev % this.trimEvery === 0) {
      if (rev > options.maxEntries) {
        database
          .sql('DELETE FROM changes WHERE ns = :ns AND rev <= :old')
          .run({ ns, old: rev - options.maxEntries })
      }
      // The oldest rows come first in the key order, so this reads only the rows it may drop.
      database
        .sql(
          `DELETE FROM changes WHERE ns = :ns AND rev IN
         (SELECT rev FROM changes WHERE ns = :ns ORDER BY rev LIMIT :n) AND at < :cutoff`,
        )
        .run({ ns, n: AGE_TRIM_EVERY * 4, cutoff: now - options.maxAgeMs })
    }
    made.push({ revision: rev, type, key, version, expiresAt, at: now })
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

  /** Runs a write in the group commit with a list for its records, heard by listeners once committed. */
  write<T>(writer: GroupCommit, ns: string, run: (made: Change[]) => T): Promise<T> {
    const made: Change[] = []
    return writer
      .write(() => {
        made.length = 0
        return run(made)
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
    this.database.sql('DELETE FROM changes WHERE ns = :ns').run({ ns })
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
