// Opens the backend the configuration names: embedded SQLite by default, else Redis or Redis Cluster.

import type { StoreConfig } from '../config.ts'
import type { Backend } from './backend.ts'
import { RedisBackend } from './redis/backend.ts'
import { SqliteBackend } from './sqlite/backend.ts'

export class StoreOpenError extends Error {}

export interface OpenOptions {
  /** How long a store operation may take before it fails as unavailable (Redis). */
  timeoutMs?: number
}

export function openBackend(store: StoreConfig, options: OpenOptions = {}): Backend {
  try {
    switch (store.type) {
      case 'sqlite':
        return new SqliteBackend({ path: store.path, synchronous: store.synchronous })
      case 'redis':
        return new RedisBackend({ url: store.url, prefix: store.prefix, timeoutMs: options.timeoutMs })
      case 'redis-cluster':
        return new RedisBackend({
          clusterNodes: store.nodes,
          prefix: store.prefix,
          timeoutMs: options.timeoutMs,
        })
    }
  } catch (error) {
    const what = store.type === 'sqlite' ? `the data file ${store.path}` : `the ${store.type} store`
    throw new StoreOpenError(`cannot open ${what}: ${(error as Error).message}`)
  }
}
