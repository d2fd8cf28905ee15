// The prefix-wide set of namespaces that have expiring entries (`<prefix>expiring`, keys.ts): writes
// add a namespace to it, the sweeper walks it. One set, not a scan of every namespace, because the
// sweeper runs on every process and most namespaces never expire anything.

import type { RedisConnection } from './connection.ts'
import { expiringSetKey } from './keys.ts'

/** How often one process reminds the sweeper of a namespace with expiring entries, at most. */
const HINT_INTERVAL_MS = 60_000

export class ExpiringNamespaces {
  private readonly hinted = new Map<string, number>()

  constructor(private readonly redis: RedisConnection) {}

  /**
   * Tells the sweeper that a namespace has expiring entries: when a write made its expiry index
   * non-empty, and now and then besides, so a reminder lost with a crashed process is made good.
   */
  hint(ns: string, expiring: boolean, first: boolean): void {
    if (!expiring) return
    const now = Date.now()
    if (!first && now - (this.hinted.get(ns) ?? 0) < HINT_INTERVAL_MS) return
    this.hinted.set(ns, now)
    if (this.hinted.size > 10_000) this.hinted.clear()
    this.redis.client.sadd(expiringSetKey(this.redis.prefix), ns).catch(() => this.hinted.delete(ns))
  }

  /** Deletes up to `limit` expired entries across the set's namespaces; logSpec as the scripts take it. */
  async sweep(now: number, limit: number, logSpec: string): Promise<number> {
    const setKey = expiringSetKey(this.redis.prefix)
    const namespaces = await this.redis.guarded(this.redis.client.smembers(setKey))
    let removed = 0
    for (const ns of namespaces) {
      if (removed >= limit) break
      const keys = this.redis.keys(ns)
      const [count, left] = (await this.redis.run(
        'sweep',
        [keys.index, keys.expiring, keys.info, keys.changes, keys.changeHead],
        [keys.base, now, limit - removed, logSpec],
      )) as [number, number]
      removed += count
      if (left === 0) {
        // A write may have added an expiring entry between the script and SREM: look again after.
        await this.redis.guarded(this.redis.client.srem(setKey, ns))
        if ((await this.redis.guarded(this.redis.client.exists(keys.expiring))) === 1) {
          await this.redis.guarded(this.redis.client.sadd(setKey, ns))
        }
      }
    }
    return removed
  }
}
