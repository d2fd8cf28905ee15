// Import's write on SQLite: entries stored exactly as a dump holds them (version, updated time,
// expiry), run inside one group-commit write, so a page of a dump lands whole or not at all.

import type { Entry } from '../types.ts'
import { VALUE_KIND_CODES } from '../types.ts'
import type { Database } from './database.ts'
import { LIVE } from './entry-rows.ts'
import type { ReadCache } from './read-cache.ts'

export function restoreEntries(
  database: Database,
  cache: ReadCache,
  ns: string,
  entries: Entry[],
  overwrite: boolean,
  now: number,
): number {
  if (entries.length === 0) return 0
  const highest = entries.reduce((max, entry) => Math.max(max, entry.version), 0)
  // The state row must exist before the first insert: the triggers count stored keys into it.
  database
    .sql(
      `INSERT INTO namespace_state (ns, version, stored_keys) VALUES (:ns, :highest, 0)
       ON CONFLICT (ns) DO UPDATE SET version = max(version, :highest)`,
    )
    .run({ ns, highest })
  const live = database.sql(`SELECT 1 FROM entries WHERE ns = :ns AND key = :key AND ${LIVE}`)
  const write = database.sql(
    `INSERT INTO entries (ns, key, value, kind, content_type, metadata, version, updated_at, expires_at)
     VALUES (:ns, :key, :value, :kind, :contentType, :metadata, :version, :updatedAt, :expiresAt)
     ON CONFLICT (ns, key) DO UPDATE SET value = :value, kind = :kind, content_type = :contentType,
       metadata = :metadata, version = :version, updated_at = :updatedAt, expires_at = :expiresAt`,
  )
  let written = 0
  for (const entry of entries) {
    if (!overwrite && live.get({ ns, key: entry.key, now }) !== undefined) continue
    cache.forget(ns, entry.key)
    write.run({
      ns,
      key: entry.key,
      value: entry.value,
      kind: VALUE_KIND_CODES[entry.kind],
      contentType: entry.contentType,
      metadata: entry.metadata,
      version: entry.version,
      updatedAt: entry.updatedAt,
      expiresAt: entry.expiresAt,
    })
    written++
  }
  return written
}
