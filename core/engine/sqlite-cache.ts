// A read cache for the SQLite backend: recent point reads (hits and misses) of small entries, the
// least recently read out first (approximately: second-chance eviction). Writes through this
// process drop the keys they touch; a commit by any other process (another kvgate, `kvgate admin`)
// empties it, detected through SQLite's PRAGMA data_version at most once per event-loop turn, so
// nothing stale is ever served.

import type { Entry } from './types.ts'

const MAX_ENTRIES = 20_000
/** Larger values are read from SQLite every time: caching them would cost more memory than it saves. */
export const MAX_CACHED_VALUE_BYTES = 16 * 1024

const keyOf = (ns: string, key: Uint8Array) => `${ns}\u0000${key.toBase64()}`

export class EntryCache {
  /**
   * ns + key -> the stored entry (expired or not), or null when the key is absent, and whether it
   * was read since it last came up for eviction. A hit only sets that mark (second-chance, or
   * CLOCK, eviction): moving the key to the back of the Map on every hit cost two more Map
   * operations on each read, a visible share of a GET.
   */
  private readonly entries = new Map<string, { entry: Entry | null; used: boolean }>()

  /** The cached state of a key: an entry, null when known absent, undefined when not cached. */
  get(ns: string, key: Uint8Array): Entry | null | undefined {
    const found = this.entries.get(keyOf(ns, key))
    if (found === undefined) return undefined
    found.used = true
    return found.entry
  }

  set(ns: string, key: Uint8Array, entry: Entry | null): void {
    if (entry && entry.value.length > MAX_CACHED_VALUE_BYTES) return
    this.entries.set(keyOf(ns, key), { entry, used: false })
    if (this.entries.size > MAX_ENTRIES) this.evictOne()
  }

  forget(ns: string, key: Uint8Array): void {
    this.entries.delete(keyOf(ns, key))
  }

  clear(): void {
    this.entries.clear()
  }

  /** Drops the oldest key not read since its last pass; read ones get a second chance at the back. */
  private evictOne(): void {
    for (const [id, slot] of this.entries) {
      this.entries.delete(id)
      if (!slot.used) return
      slot.used = false
      this.entries.set(id, slot)
    }
  }
}
