// The row-level steps of an entry write on SQLite, run inside a group-commit write: upsert and
// remove with their change records and the read cache's forgetting, and the reads the writes'
// conditions and key quota judge by. Kept apart from backend.ts, which sequences these steps for
// each operation (put, delete, increment, batch).

import type { StoredValue } from '../backend.ts'
import { prefixEnd } from '../bytes.ts'
import type { Change } from '../changes.ts'
import { QuotaExceededError } from '../errors.ts'
import { VALUE_KIND_CODES } from '../types.ts'
import type { SqliteChangeLog } from './changes.ts'
import type { Database } from './database.ts'
import { LIVE } from './entry-rows.ts'
import type { ReadCache } from './read-cache.ts'

/** A write's change records, heard once it commits; undefined when the log is off. */
export type Made = Change[] | undefined

export class EntryWrites {
  constructor(
    private readonly database: Database,
    private readonly cache: ReadCache,
    private readonly changeLog: SqliteChangeLog | null,
  ) {}

  /** Deletes an entry; true when it was live. Recorded as a delete, or as an expiry when it had expired unswept. */
  remove(ns: string, key: Uint8Array, now: number, made: Made): boolean {
    this.cache.forget(ns, key)
    const removed = this.database
      .sql('DELETE FROM entries WHERE ns = :ns AND key = :key RETURNING expires_at')
      .get({ ns, key }) as { expires_at: number | null } | undefined
    if (removed === undefined) return false
    const live = removed.expires_at === null || removed.expires_at > now
    if (made) this.changeLog?.record(made, ns, live ? 'delete' : 'expire', key, null, null, now)
    return live
  }

  /** Writes an entry; with the change log on, records it as a put under the revision taken alongside its version. */
  upsert(ns: string, key: Uint8Array, value: StoredValue, now: number, made?: Change[]): number {
    this.cache.forget(ns, key)
    const log = made && this.changeLog
    const { version, revision } = this.database
      .sql(
        log
          ? `INSERT INTO namespace_state (ns, version, stored_keys, revision) VALUES (:ns, 1, 0, 1)
       ON CONFLICT (ns) DO UPDATE SET version = version + 1, revision = revision + 1 RETURNING version, revision`
          : `INSERT INTO namespace_state (ns, version, stored_keys) VALUES (:ns, 1, 0)
       ON CONFLICT (ns) DO UPDATE SET version = version + 1 RETURNING version`,
      )
      .get({ ns }) as { version: number; revision?: number }
    this.database
      .sql(
        `INSERT INTO entries (ns, key, value, kind, content_type, metadata, version, updated_at, expires_at)
       VALUES (:ns, :key, :value, :kind, :contentType, :metadata, :version, :now, :expiresAt)
       ON CONFLICT (ns, key) DO UPDATE SET value = :value, kind = :kind, content_type = :contentType,
         metadata = :metadata, version = :version, updated_at = :now, expires_at = :expiresAt`,
      )
      .run({
        ns,
        key,
        value: value.bytes,
        kind: VALUE_KIND_CODES[value.kind],
        contentType: value.contentType,
        metadata: value.metadata,
        version,
        now,
        expiresAt: value.expiresAt,
      })
    if (log) log.record(made, ns, 'put', key, version, value.expiresAt, now, revision)
    return version
  }

  liveVersion(ns: string, key: Uint8Array, now: number): number | null {
    const row = this.database
      .sql(`SELECT version FROM entries WHERE ns = :ns AND key = :key AND ${LIVE}`)
      .get({ ns, key, now }) as { version: number } | undefined
    return row?.version ?? null
  }

  /** Stored keys include expired ones not yet swept: only when they reach the quota is it worth counting exactly. */
  checkQuota(ns: string, maxKeys: number, now: number): void {
    const state = this.database.sql('SELECT stored_keys FROM namespace_state WHERE ns = :ns').get({ ns }) as
      | { stored_keys: number }
      | undefined
    if ((state?.stored_keys ?? 0) < maxKeys) return
    if (this.countLive(ns, undefined, now) >= maxKeys) throw new QuotaExceededError('keys')
  }

  countLive(ns: string, prefix: Uint8Array | undefined, now: number): number {
    const upper = prefix?.length ? prefixEnd(prefix) : null
    const row = this.database
      .sql(
        `SELECT count(*) AS n FROM entries WHERE ns = :ns AND key >= :lower ${upper ? 'AND key < :upper' : ''} AND ${LIVE}`,
      )
      .get({ ns, now, lower: prefix ?? new Uint8Array(0), ...(upper ? { upper } : {}) }) as { n: number }
    return row.n
  }
}
