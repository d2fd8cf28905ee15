// Point reads of entries on Redis, through the near cache when there is one, and the writes' side of
// its coherence: a write drops the entries it touches from this process's cache before it is sent
// and again once it settles, so the process's next read sees it before Redis's invalidation arrives.

import type { Buffer } from 'node:buffer'
import type { Entry } from '../types.ts'
import { ENTRY_FIELDS, entryFromFields, type Reply } from './codecs.ts'
import type { RedisConnection } from './connection.ts'
import { NearCache } from './near-cache.ts'
import type { Tracking } from './tracking.ts'

export class EntryReads {
  /** Point reads kept in this process while Redis's invalidations flow (REDIS.md, "Near cache"). */
  readonly near: NearCache | null = null
  private readonly tracking: Tracking | null = null

  constructor(
    private readonly redis: RedisConnection,
    nearCacheBytes: number,
  ) {
    if (nearCacheBytes <= 0) return
    const near = new NearCache(nearCacheBytes)
    this.near = near
    this.tracking = redis.openTracking({
      invalidate: (keys) => {
        if (keys === null) near.clear()
        else for (const key of keys) if (isEntryKey(key)) near.invalidate(key.toString('latin1'))
      },
      live: (live) => near.setLive(live),
    })
  }

  /** The live entry at `now` under entryKey (whose entry key bytes are `key`), or null. */
  get(entryKey: Buffer, key: Uint8Array, now: number): Promise<Entry | null> {
    // Not async: a near-cache hit settles one promise, and every request reads through here.
    const near = this.near
    if (near === null) return this.read(entryKey, key).then((entry) => live(entry, now))
    const cacheKey = entryKey.toString('latin1')
    const cached = near.get(cacheKey)
    if (cached !== undefined) return Promise.resolve(live(cached, now))
    const ticket = near.begin(cacheKey)
    return this.read(entryKey, key).then((entry) => {
      // The cache keeps copies of its own: a caller may reuse its key buffer, and a value read is a
      // view into the connection's read buffer, whose every byte it would otherwise keep alive.
      const kept = entry && { ...entry, key: key.slice(), value: entry.value.slice() }
      near.fill(cacheKey, ticket, kept)
      return live(kept, now)
    })
  }

  /** Runs a write, with the entries it writes dropped from the near cache before and after. */
  async writing(entryKeys: Buffer[], write: () => Promise<Reply>): Promise<Reply> {
    const near = this.near
    if (near === null) return write()
    const forget = () => {
      for (const key of entryKeys) near.invalidate(key.toString('latin1'))
    }
    forget()
    try {
      return await write()
    } finally {
      forget()
    }
  }

  close(): void {
    this.tracking?.close()
  }

  private async read(entryKey: Buffer, key: Uint8Array): Promise<Entry | null> {
    const fields = (await this.redis.guarded(
      this.redis.client.hmgetBuffer(entryKey, ...ENTRY_FIELDS),
    )) as Array<Buffer | null>
    return entryFromFields(key, fields)
  }
}

/**
 * Whether a key Redis announces is an entry's (`<prefix>{<ns>}:e:<key>`, keys.ts): a write announces
 * its namespace's index, info and version keys too, which the cache never holds. Neither the prefix
 * nor a hash tag holds a "}", so the first one ends the tag.
 */
function isEntryKey(key: Buffer): boolean {
  const close = key.indexOf(0x7d)
  return close >= 0 && key[close + 1] === 0x3a && key[close + 2] === 0x65 && key[close + 3] === 0x3a
}

const live = (entry: Entry | null, now: number): Entry | null =>
  entry && (entry.expiresAt === null || entry.expiresAt > now) ? entry : null
