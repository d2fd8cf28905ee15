// Which Redis kvgate talks to: one server (a URL), a Redis Cluster (some of its nodes), or the
// master that Redis Sentinel names; how messages name it; and the ioredis options of a master found
// through Sentinel, which follow it across a failover.

import type { RedisOptions } from 'ioredis'

export interface SentinelTarget {
  /** host:port of the sentinels. */
  sentinels: string[]
  /** The name the sentinels monitor the master under. */
  master: string
  /** The sentinels' own password, when they have one. */
  password?: string
}

export interface RedisTarget {
  /** redis:// or rediss:// URL, with password and db index if any. */
  url?: string
  /** host:port of some cluster nodes; the rest are discovered. */
  clusterNodes?: string[]
  /** A master found through Sentinel. */
  sentinel?: SentinelTarget
  /** The password of Redis itself (the cluster's nodes, the Sentinel master), where no URL carries it. */
  password?: string
}

/** Only the target's own fields of a larger options object. */
export function targetOf({ url, clusterNodes, sentinel, password }: RedisTarget): RedisTarget {
  return { url, clusterNodes, sentinel, password }
}

export const DEFAULT_URL = 'redis://127.0.0.1:6379'

/** The target as kvgate's messages name it: never a password. */
export function targetName(target: RedisTarget): string {
  if (target.sentinel) {
    return `the Redis master "${target.sentinel.master}" (Sentinel at ${target.sentinel.sentinels.join(',')})`
  }
  if (target.clusterNodes?.length) return `Redis Cluster at ${target.clusterNodes.join(',')}`
  return `Redis at ${addressOf(target.url ?? DEFAULT_URL)}`
}

/** host:port of a redis:// URL (the port Redis's default when left out). */
function addressOf(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || 6379}`
  } catch {
    return 'the configured address'
  }
}

export function parseNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':')
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
}

/**
 * The options of a connection to the master the sentinels name. Each (re)connection asks them for
 * the master's address, so after a failover it reaches the promoted replica.
 */
export function sentinelOptions(sentinel: SentinelTarget, connection: RedisOptions): RedisOptions {
  return {
    ...connection,
    sentinels: sentinel.sentinels.map(parseNode),
    name: sentinel.master,
    sentinelPassword: sentinel.password,
    // Sentinels that cannot be reached are tried again as Redis itself would be.
    sentinelRetryStrategy: connection.retryStrategy ?? undefined,
    sentinelCommandTimeout: connection.connectTimeout,
    // Told of a failover by the sentinels, instead of waiting for the old master's connection to fail.
    failoverDetector: true,
    // A master demoted while this connection stayed open refuses writes: ask the sentinels again.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  }
}
