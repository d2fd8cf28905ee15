// A read cache for the SQLite backend: recent point reads (hits and misses) of small entries,
// least recently used first out. Writes through this process drop the keys they touch; a commit by
// any other process (another kvgate, `kvgate admin`) empties it, detected through SQLite's
// PRAGMA data_version at most once per event-loop turn, so nothing stale is ever served.

import type { Entry } from './types.ts'

const MAX_ENTRIES = 20_000
/** Larger values are read from SQLite every time: caching them would cost more memory than it saves. */
export const MAX_CACHED_VALUE_BYTES = 16 * 1024

const keyOf = (ns: string, key: Uint8Array) => `${ns}\u0000${key.toBase64()}`

export class EntryCache {
  /** ns + key -> the stored entry (expired or not), or null when the key is absent. */
  private readonly entries = new Map<string, Entry | null>()

  /** The cached state of a key: an entry, null when known absent, undefined when not cached. */
  get(ns: string, key: Uint8Array): Entry | null | undefined {
    const id = keyOf(ns, key)
    const found = this.entries.get(id)
    if (found === undefined) return undefined
    // Refresh its place in the insertion order, which is the eviction order.
    this.entries.delete(id)
    this.entries.set(id, found)
    return found
  }

  set(ns: string, key: Uint8Array, entry: Entry | null): void {
    if (entry && entry.value.length > MAX_CACHED_VALUE_BYTES) return
    this.entries.set(keyOf(ns, key), entry)
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!)
  }

  forget(ns: string, key: Uint8Array): void {
    this.entries.delete(keyOf(ns, key))
  }

  clear(): void {
    this.entries.clear()
  }
}
