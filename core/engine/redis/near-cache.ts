// The Redis backend's near cache: point reads (entries, and with them the credential, account and
// namespace records, which are entries of the system namespaces) kept in this process, bounded in
// bytes, and kept coherent by Redis's own invalidation messages (tracking.ts). The rules it keeps
// are in REDIS.md, "Near cache"; in short, it serves nothing unless invalidations are flowing, and a
// read fills it only if no invalidation of its key (and no loss of the channel) came in between
// sending the read and its reply.

import type { Entry } from '../types.ts'

/** KVGATE_REDIS_NEAR_CACHE_BYTES when unset: hot records and entries, small beside the rest of a process. */
export const DEFAULT_NEAR_CACHE_BYTES = 64 * 1024 * 1024
/** Per cached key, beyond its key and value bytes: the Map slot, the Entry object, the strings. */
const SLOT_OVERHEAD_BYTES = 200
/** Reads in flight remembered at most (a read that never settles must not pin memory forever). */
const MAX_PENDING = 100_000

interface Slot {
  entry: Entry | null
  bytes: number
  /** Read since it last came up for eviction (second chance, as the SQLite read cache does). */
  used: boolean
}

/** What a read took when it was sent; `fill` compares it with what happened since. */
export interface Ticket {
  readonly id: number
  readonly generation: number
}

export class NearCache {
  private readonly slots = new Map<string, Slot>()
  /** Keys with a read in flight -> that read's ticket id; an invalidation removes the key. */
  private readonly pending = new Map<string, number>()
  private bytes = 0
  private nextTicket = 0
  /** Changes whenever the cache is emptied: a read sent before cannot fill it after. */
  private generation = 0
  private live = false
  /** Largest value worth caching: a few big values must not push out every small one. */
  private readonly maxEntryBytes: number

  constructor(readonly maxBytes: number) {
    this.maxEntryBytes = Math.max(0, Math.min(1024 * 1024, Math.floor(maxBytes / 16)))
  }

  /** True while invalidations are flowing, so the cache may serve and be filled. */
  get serving(): boolean {
    return this.live
  }

  get size(): number {
    return this.slots.size
  }

  get usedBytes(): number {
    return this.bytes
  }

  /** Invalidations started (true) or stopped (false) flowing: either way, what is held is dropped. */
  setLive(live: boolean): void {
    this.clear()
    this.live = live
  }

  /** The cached entry (null: known absent), or undefined when the cache cannot answer. */
  get(key: string): Entry | null | undefined {
    if (!this.live) return undefined
    const slot = this.slots.get(key)
    if (slot === undefined) return undefined
    slot.used = true
    return slot.entry
  }

  /** Called as a read is sent: null when its reply must not fill the cache. */
  begin(key: string): Ticket | null {
    if (!this.live) return null
    if (this.pending.size >= MAX_PENDING) this.clear()
    const id = ++this.nextTicket
    this.pending.set(key, id)
    return { id, generation: this.generation }
  }

  /** Called with a read's reply: kept only if nothing touched the key since the read was sent. */
  fill(key: string, ticket: Ticket | null, entry: Entry | null): void {
    if (ticket === null || this.pending.get(key) !== ticket.id) return
    this.pending.delete(key)
    if (!this.live || ticket.generation !== this.generation) return
    const valueBytes = entry ? entry.value.byteLength + (entry.metadata?.length ?? 0) : 0
    if (valueBytes > this.maxEntryBytes) return
    const bytes = SLOT_OVERHEAD_BYTES + key.length + valueBytes
    this.drop(key)
    this.slots.set(key, { entry, bytes, used: false })
    this.bytes += bytes
    if (this.bytes > this.maxBytes) this.evict()
  }

  /** A key changed (told by Redis, or written by this process): forget it, and any read in flight. */
  invalidate(key: string): void {
    this.pending.delete(key)
    this.drop(key)
  }

  /** Forgets everything, and every read in flight. */
  clear(): void {
    this.slots.clear()
    this.pending.clear()
    this.bytes = 0
    this.generation++
  }

  private drop(key: string): void {
    const slot = this.slots.get(key)
    if (slot === undefined) return
    this.slots.delete(key)
    this.bytes -= slot.bytes
  }

  /** Drops the oldest slots not read since they last came up, until the cache fits again. */
  private evict(): void {
    for (const [key, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) return
      this.slots.delete(key)
      if (slot.used) {
        // Read since: goes to the back instead, once.
        slot.used = false
        this.slots.set(key, slot)
      } else {
        this.bytes -= slot.bytes
      }
    }
  }
}
