// Rows of the entries table as the engine's entries, and the SQL fragments that read them.

import { kindOfCode, type ScanEntry } from '../types.ts'

export interface EntryRow {
  key: Uint8Array
  value?: Uint8Array
  kind: number
  content_type: string | null
  metadata: string | null
  version: number
  updated_at: number
  expires_at: number | null
}

/** Every column but the value, in the order of EntryRow. */
export const ENTRY_COLUMNS = 'key, kind, content_type, metadata, version, updated_at, expires_at'
/** The condition for an entry live at :now. */
export const LIVE = '(expires_at IS NULL OR expires_at > :now)'

export function toEntry(row: EntryRow): ScanEntry {
  const entry: ScanEntry = {
    key: row.key,
    kind: kindOfCode(row.kind),
    contentType: row.content_type,
    metadata: row.metadata,
    version: row.version,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  }
  if (row.value !== undefined) entry.value = row.value
  return entry
}
