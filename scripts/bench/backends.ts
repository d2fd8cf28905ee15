// The stores kvgate is measured on: the embedded SQLite file, the shared Redis (under a key prefix
// of this run, deleted afterwards, never a flush), and the tests' throwaway 3-master Redis Cluster
// (test/support/redis.ts), which goes when this process ends.

import { statSync } from 'node:fs'
import { join } from 'node:path'
import { clusterNodes, clusterStartFailure } from '../../test/support/redis.ts'
import { run } from './processes.ts'
import type { Settings } from './settings.ts'

export interface BackendPlan {
  name: string
  /** Environment that points kvgate (and the loader) at the store. */
  storeEnv: Record<string, string>
  /** Engine namespaces this run created there. */
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
      return {
        name,
        storeEnv: { REDIS_URL: settings.redisUrl, KVGATE_REDIS_PREFIX: settings.redisPrefix },
        namespaces: [],
        storeBytes: () => redisUsedMemory(Number(url.port || 6379)),
        storeBytesWhat: 'Redis used_memory (the whole shared instance, so approximate)',
        close: () => deletePrefix(settings.redisUrl, settings.redisPrefix),
      }
    }
    case 'cluster': {
      const nodes = clusterNodes()
      if (!nodes) {
        note(`kvgate on cluster: no Redis Cluster could be started, skipped: ${clusterStartFailure()}`)
        return null
      }
      const ports = nodes.map((node) => Number(node.split(':')[1]))
      return {
        name,
        storeEnv: { REDIS_CLUSTER_NODES: nodes.join(','), KVGATE_REDIS_PREFIX: settings.redisPrefix },
        namespaces: [],
        storeBytes: () => ports.reduce((sum, port) => sum + redisUsedMemory(port), 0),
        storeBytesWhat: 'used_memory summed over the 3 masters',
        close: async () => {},
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
  redis.on('error', () => {})
  try {
    await redis.connect()
    return (await redis.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}

/** Deletes every key under this run's prefix from the shared Redis (SCAN + UNLINK, never a flush). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis')
  const redis = new Redis(url, { lazyConnect: true })
  await redis.connect()
  try {
    let cursor = '0'
    do {
      // Keys hold arbitrary bytes: read them as buffers, or UNLINK would get mangled names.
      const [next, keys] = await redis.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000)
      cursor = next.toString()
      if (keys.length > 0) await redis.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    await redis.quit()
  }
}

/** used_memory of a Redis, in bytes. */
export function redisUsedMemory(port: number): number {
  const match = /used_memory:(\d+)/.exec(run(['redis-cli', '-p', String(port), 'info', 'memory']))
  return match ? Number(match[1]) : 0
}
