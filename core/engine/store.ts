// Opens the backend the configuration names: embedded SQLite by default, else Redis (one server, a
// Redis Cluster, or a master found through Sentinel).
//
// The embedded store opens at once, so a data file that cannot be opened fails at startup, before
// anything listens. The Redis backend's module (and with it ioredis) is imported only when Redis is
// configured: meanwhile a LoadingBackend stands in for it, so opening stays synchronous.

import type { StoreConfig } from '../config.ts'
import type { Backend } from './backend.ts'
import type { ChangeLogOptions } from './changes.ts'
import { UnavailableError } from './errors.ts'
import { LoadingBackend } from './loading-backend.ts'
import { checkPrefix } from './redis/keys.ts'
import { DEFAULT_NEAR_CACHE_BYTES } from './redis/near-cache.ts'
import { SqliteBackend } from './sqlite/backend.ts'

export class StoreOpenError extends Error {}

export interface OpenOptions {
  /** How long a store operation may take before it fails as unavailable (Redis). */
  timeoutMs?: number
  /** The change log's retention; null switches it off; absent keeps the defaults. */
  changeLog?: ChangeLogOptions | null
}

export function openBackend(store: StoreConfig, options: OpenOptions = {}): Backend {
  if (store.type === 'sqlite') {
    try {
      return new SqliteBackend({
        path: store.path,
        synchronous: store.synchronous,
        changeLog: options.changeLog,
      })
    } catch (error) {
      throw new StoreOpenError(`cannot open the data file ${store.path}: ${(error as Error).message}`)
    }
  }
  // The prefix is checked here (keys.ts loads no Redis client), so a bad one fails at startup too.
  try {
    if (store.prefix !== undefined) checkPrefix(store.prefix)
  } catch (error) {
    throw new StoreOpenError(`cannot open the ${store.type} store: ${(error as Error).message}`)
  }
  const target =
    store.type === 'redis'
      ? { url: store.url }
      : store.type === 'redis-cluster'
        ? { clusterNodes: store.nodes }
        : { sentinel: { sentinels: store.sentinels, master: store.master, password: store.sentinelPassword } }
  const loaded = import('./redis/backend.ts')
    .then(
      ({ RedisBackend }) =>
        new RedisBackend({
          ...target,
          password: store.password,
          minReplicas: store.minReplicas,
          nearCacheBytes: store.nearCacheBytes ?? DEFAULT_NEAR_CACHE_BYTES,
          prefix: store.prefix,
          timeoutMs: options.timeoutMs,
          changeLog: options.changeLog,
        }),
    )
    .catch((error: unknown) => {
      // A missing module or a refused option: every operation then answers unavailable, with why.
      throw new UnavailableError(
        'open-failed',
        `cannot open the ${store.type} store: ${(error as Error).message}`,
      )
    })
  return new LoadingBackend(store.type, loaded, options.changeLog !== null)
}
