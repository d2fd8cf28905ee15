// The SQLite backend's read cache: recent point reads (hits and misses) of small entries, the least
// recently read out first (approximately: second-chance eviction). Writes through this process drop
// the keys they touch; a commit by any other process (another kvgate, `kvgate admin`) empties it,
// detected through SQLite's PRAGMA data_version at most once per event-loop turn, so nothing stale
// is ever served.

import type { Entry } from '../types.ts'
import { defer } from './defer.ts'

const MAX_ENTRIES = 20_000
/** Larger values are read from SQLite every time: caching them would cost more memory than it saves. */
export const MAX_CACHED_VALUE_BYTES = 16 * 1024
const MAX_SEEDS = 10_000

interface Slot {
  ns: string
  key: Uint8Array
  /** The stored entry (expired or not), or null when the key is absent. */
  entry: Entry | null
  /** Read since it last came up for eviction. */
  used: boolean
}

export class ReadCache {
  /**
   * A hash of ns and key -> its slot. The hash (FNV-1a) is not unique: a hit is checked against the
   * slot's ns and key, and two keys with one hash share a slot, the later one in it. That costs a
   * miss now and then, where building a string key for every lookup (base64 of the key, joined to
   * the namespace) cost about twice the whole lookup. A hit only sets `used` (second-chance, or
   * CLOCK, eviction): moving the slot to the back of the Map on every hit cost two more Map
   * operations on each read.
   */
  private readonly slots = new Map<number, Slot>()
  /** The hash of each namespace name, remembered: a name is hashed once, not on every lookup. */
  private readonly seeds = new Map<string, number>()
  private checkedThisTurn = false
  private dataVersion = -1

  /** `readDataVersion` answers SQLite's data_version, which changes when another connection commits. */
  constructor(private readonly readDataVersion: () => number) {}

  /** The cached state of a key: an entry (maybe expired), null when known absent, undefined when not cached. */
  get(ns: string, key: Uint8Array): Entry | null | undefined {
    this.checkOtherWriters()
    const slot = this.slots.get(this.hash(ns, key))
    if (slot === undefined || slot.ns !== ns || !sameBytes(slot.key, key)) return undefined
    slot.used = true
    return slot.entry
  }

  /** Remembers a read: the entry as stored, or null for a key that is absent. */
  set(ns: string, key: Uint8Array, entry: Entry | null): void {
    if (entry && entry.value.length > MAX_CACHED_VALUE_BYTES) return
    // A copy of a caller's key, so that a caller reusing its buffer cannot change what a slot holds.
    this.slots.set(this.hash(ns, key), { ns, key: entry ? entry.key : key.slice(), entry, used: false })
    if (this.slots.size > MAX_ENTRIES) this.evictOne()
  }

  forget(ns: string, key: Uint8Array): void {
    // Whatever holds this hash goes: dropping a colliding key's slot too costs one read, never a stale one.
    this.slots.delete(this.hash(ns, key))
  }

  clear(): void {
    this.slots.clear()
  }

  /**
   * Empties the cache when another connection has committed since the last look: at most one look
   * per event-loop turn, since reads within one turn cannot be ordered against another process.
   */
  private checkOtherWriters(): void {
    if (this.checkedThisTurn) return
    this.checkedThisTurn = true
    defer(() => {
      this.checkedThisTurn = false
    })
    const version = this.readDataVersion()
    if (version !== this.dataVersion) {
      this.slots.clear()
      this.dataVersion = version
    }
  }

  /** slotHash(ns, key), with the namespace's part remembered. */
  private hash(ns: string, key: Uint8Array): number {
    let seed = this.seeds.get(ns)
    if (seed === undefined) {
      seed = hashText(ns)
      if (this.seeds.size >= MAX_SEEDS) this.seeds.clear()
      this.seeds.set(ns, seed)
    }
    return hashBytes(seed, key)
  }

  /** Drops the oldest slot not read since its last pass; read ones get a second chance at the back. */
  private evictOne(): void {
    for (const [hash, slot] of this.slots) {
      this.slots.delete(hash)
      if (!slot.used) return
      slot.used = false
      this.slots.set(hash, slot)
    }
  }
}

/** The 32-bit FNV-1a hash of a namespace and a key: which slot they take. */
export const slotHash = (ns: string, key: Uint8Array): number => hashBytes(hashText(ns), key)

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

function hashText(text: string): number {
  let hash = FNV_OFFSET
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME)
  return hash
}

function hashBytes(seed: number, bytes: Uint8Array): number {
  let hash = seed
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME)
  return hash
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
