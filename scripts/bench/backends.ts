// The stores kvgate is measured on: the embedded SQLite file, the shared Redis (in its own db, its
// keys deleted afterwards, never a flush), and a throwaway 3-master Redis Cluster.

import { statSync } from 'node:fs'
import { join } from 'node:path'
import { which } from './processes.ts'
import { redisUsedMemory, startRedisCluster } from './redis-cluster.ts'
import type { Settings } from './settings.ts'

export interface BackendPlan {
  name: string
  /** Environment that points kvgate (and the loader) at the store. */
  storeEnv: Record<string, string>
  /** Engine namespaces this run created there, for the clean-up. */
  namespaces: string[]
  /** What the store holds now, in bytes, or null when unknown. */
  storeBytes(): number | null
  storeBytesWhat: string
  close(): Promise<void>
}

export async function planBackend(
  name: string,
  settings: Settings,
  dir: string,
  note: (line: string) => void,
): Promise<BackendPlan | null> {
  switch (name) {
    case 'sqlite': {
      const path = join(dir, 'kvgate.db')
      const size = (file: string) => {
        try {
          return statSync(file).size
        } catch {
          return 0
        }
      }
      return {
        name,
        storeEnv: { KVGATE_DATA: path },
        namespaces: [],
        storeBytes: () => size(path) + size(`${path}-wal`),
        storeBytesWhat: 'database file and WAL on disk',
        close: async () => {},
      }
    }
    case 'redis': {
      const url = new URL(settings.redisUrl)
      if (!(await redisAnswers(settings.redisUrl))) {
        note(`kvgate on redis: no Redis answers at ${settings.redisUrl}, skipped`)
        return null
      }
      const plan: BackendPlan = {
        name,
        storeEnv: { REDIS_URL: settings.redisUrl },
        namespaces: [],
        storeBytes: () => redisUsedMemory(Number(url.port || 6379)),
        storeBytesWhat: 'Redis used_memory (the whole shared instance, so approximate)',
        close: () => deleteNamespaceKeys(settings.redisUrl, plan.namespaces),
      }
      return plan
    }
    case 'cluster': {
      if (!which('redis-server') || !which('redis-cli')) {
        note('kvgate on cluster: redis-server is not installed, skipped')
        return null
      }
      let cluster: Awaited<ReturnType<typeof startRedisCluster>>
      try {
        cluster = await startRedisCluster(join(dir, 'cluster'))
      } catch (error) {
        note(`kvgate on cluster: could not start a Redis Cluster, skipped: ${(error as Error).message}`)
        return null
      }
      return {
        name,
        storeEnv: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
        namespaces: [],
        storeBytes: () => cluster.ports.reduce((sum, port) => sum + redisUsedMemory(port), 0),
        storeBytesWhat: 'used_memory summed over the 3 masters',
        close: () => cluster.stop(),
      }
    }
    default:
      note(`backend ${name}: unknown, skipped`)
      return null
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis')
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0 })
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

/** Deletes the keys of this run's namespaces (each key of a namespace carries its id in its hash tag). */
async function deleteNamespaceKeys(url: string, namespaces: string[]): Promise<void> {
  if (namespaces.length === 0) return
  const { default: Redis } = await import('ioredis')
  const redis = new Redis(url, { lazyConnect: true })
  await redis.connect()
  try {
    for (const ns of namespaces) {
      const stream = redis.scanStream({ match: `*${ns}*`, count: 10_000 })
      for await (const keys of stream)
        if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]))
    }
  } finally {
    await redis.quit()
  }
}
