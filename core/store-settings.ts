// The store settings: the embedded SQLite file, or Redis as one server, a Redis Cluster, or a master
// found through Redis Sentinel; the checks between them; scheduled backups of the embedded store;
// and the store as logs and reports name it.

import { dirname, join } from 'node:path'
import * as v from 'valibot'
import { ConfigError, redactUrl } from './config-sources.ts'
import { DEFAULT_NEAR_CACHE_BYTES } from './engine/redis/near-cache.ts'
import type { SqliteSyncMode } from './engine/sqlite/database.ts'
import { durationOption, integerOption, listOption } from './options.ts'

/** What every kind of Redis store may add; each appears only when set. */
interface RedisSettings {
  /** Put before every key. */
  prefix?: string
  /** The password of Redis itself (a URL's own password is part of the URL instead). */
  password?: string
  /** Replicas that must have a write before it is acknowledged (WAIT); 0 or absent: none. */
  minReplicas?: number
  /** Bytes of each process's near cache (REDIS.md, "Near cache"); 0: none. */
  nearCacheBytes?: number
}

export type StoreConfig =
  | { type: 'sqlite'; path: string; synchronous: SqliteSyncMode }
  | ({ type: 'redis'; url: string } & RedisSettings)
  | ({ type: 'redis-cluster'; nodes: string[] } & RedisSettings)
  | ({
      type: 'redis-sentinel'
      /** host:port of the sentinels; the master's address is asked of them. */
      sentinels: string[]
      /** The name the sentinels monitor the master under. */
      master: string
      sentinelPassword?: string
    } & RedisSettings)

export const STORE_FLAGS = {
  data: { type: 'string' },
  'sqlite-sync': { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-cluster-nodes': { type: 'string' },
  'redis-sentinels': { type: 'string' },
  'redis-sentinel-master': { type: 'string' },
} as const

/** Environment variable of each store setting. */
export const STORE_ENV: Record<keyof typeof StoreSettings, string> = {
  data: 'KVGATE_DATA',
  sqliteSync: 'KVGATE_SQLITE_SYNC',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  redisSentinels: 'REDIS_SENTINELS',
  redisSentinelMaster: 'REDIS_SENTINEL_MASTER',
  redisSentinelPassword: 'REDIS_SENTINEL_PASSWORD',
  redisPassword: 'REDIS_PASSWORD',
  redisPrefix: 'KVGATE_REDIS_PREFIX',
  redisMinReplicas: 'KVGATE_REDIS_MIN_REPLICAS',
  redisNearCacheBytes: 'KVGATE_REDIS_NEAR_CACHE_BYTES',
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$/
const hostPortList = () =>
  v.optional(
    v.pipe(
      listOption(),
      v.check((nodes) => nodes.every((node) => HOST_PORT.test(node)), 'must be host:port,...'),
    ),
  )
// valibot's own message would quote the value given: a secret's says only what is wrong.
const secret = () => v.optional(v.pipe(v.string('must be text'), v.nonEmpty('must not be empty')))

export const StoreSettings = {
  data: v.optional(v.pipe(v.string(), v.nonEmpty()), './data/kvgate.db'),
  sqliteSync: v.optional(v.picklist(['off', 'normal', 'full']), 'normal'),
  redisUrl: v.optional(
    v.pipe(v.string(), v.regex(/^rediss?:\/\/\S*$/, 'must be a redis:// or rediss:// URL')),
  ),
  redisClusterNodes: hostPortList(),
  redisSentinels: hostPortList(),
  redisSentinelMaster: v.optional(v.pipe(v.string(), v.regex(/^\S+$/, 'must be a name without spaces'))),
  redisSentinelPassword: secret(),
  redisPassword: secret(),
  redisPrefix: v.optional(v.pipe(v.string(), v.regex(/^[^{}\s]*$/, 'must not contain braces or spaces'))),
  redisMinReplicas: integerOption(0, { max: 100 }),
  redisNearCacheBytes: integerOption(DEFAULT_NEAR_CACHE_BYTES),
}

type Parsed = v.InferOutput<v.ObjectSchema<typeof StoreSettings, undefined>>

/** The store the settings name; `where` names a setting as the user gave it (flag, variable, file key). */
export function storeOf(settings: Parsed, where: (name: string) => string): StoreConfig {
  const s = settings
  const targets = (['redisUrl', 'redisClusterNodes', 'redisSentinels'] as const).filter((name) =>
    Array.isArray(s[name]) ? s[name].length > 0 : s[name] !== undefined,
  )
  if (targets.length > 1) {
    throw new ConfigError(
      `give one of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS, not several (${targets.map(where).join(', ')})`,
    )
  }
  const target = targets[0]
  const needs = (name: keyof Parsed, what: string) => {
    if (s[name] !== undefined) throw new ConfigError(`${where(name)} ${what}`)
  }
  if (target !== 'redisSentinels') {
    needs('redisSentinelMaster', 'is for Redis Sentinel: give REDIS_SENTINELS too')
    needs('redisSentinelPassword', 'is for Redis Sentinel: give REDIS_SENTINELS too')
  } else if (s.redisSentinelMaster === undefined) {
    throw new ConfigError(
      `${where('redisSentinels')} needs REDIS_SENTINEL_MASTER, the name the sentinels monitor the master under`,
    )
  }
  if (!target) {
    needs('redisPassword', 'is for Redis: give REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS too')
    if (s.redisMinReplicas > 0)
      throw new ConfigError(
        `${where('redisMinReplicas')} is for Redis: give REDIS_URL or REDIS_SENTINELS too`,
      )
    return { type: 'sqlite', path: s.data, synchronous: s.sqliteSync }
  }
  if (
    target === 'redisUrl' &&
    s.redisPassword !== undefined &&
    /^rediss?:\/\/[^/@]*:[^/@]*@/.test(s.redisUrl!)
  ) {
    throw new ConfigError(
      `give the password in ${where('redisUrl')} or in ${where('redisPassword')}, not both`,
    )
  }
  if (target === 'redisClusterNodes' && s.redisMinReplicas > 0) {
    throw new ConfigError(
      `${where('redisMinReplicas')} works with REDIS_URL or REDIS_SENTINELS, not with a Redis Cluster (set min-replicas-to-write on its nodes instead)`,
    )
  }

  // Each optional part appears only when set, so the common case reads as just a URL or nodes.
  const common: RedisSettings = {
    ...(s.redisPrefix === undefined ? {} : { prefix: s.redisPrefix }),
    ...(s.redisPassword === undefined ? {} : { password: s.redisPassword }),
    ...(s.redisMinReplicas > 0 ? { minReplicas: s.redisMinReplicas } : {}),
    ...(s.redisNearCacheBytes !== DEFAULT_NEAR_CACHE_BYTES ? { nearCacheBytes: s.redisNearCacheBytes } : {}),
  }
  if (target === 'redisUrl') return { type: 'redis', url: s.redisUrl!, ...common }
  if (target === 'redisClusterNodes') return { type: 'redis-cluster', nodes: s.redisClusterNodes!, ...common }
  return {
    type: 'redis-sentinel',
    sentinels: s.redisSentinels!,
    master: s.redisSentinelMaster!,
    ...(s.redisSentinelPassword === undefined ? {} : { sentinelPassword: s.redisSentinelPassword }),
    ...common,
  }
}

/** Environment variable of each backup setting. */
export const BACKUP_ENV: Record<keyof typeof BackupSettings, string> = {
  backupInterval: 'KVGATE_BACKUP_INTERVAL',
  backupDir: 'KVGATE_BACKUP_DIR',
  backupKeep: 'KVGATE_BACKUP_KEEP',
}

export const BackupSettings = {
  backupInterval: durationOption({ minSeconds: 1 }),
  backupDir: v.optional(v.pipe(v.string('must be text'), v.nonEmpty('must not be empty'))),
  backupKeep: integerOption(7, { min: 1, max: 10_000 }),
}

export interface BackupSchedule {
  intervalMs: number
  /** Folder the backups go to. */
  dir: string
  /** How many of the newest backups in `dir` are kept; older ones are deleted. */
  keep: number
}

/** Scheduled backups: only of the embedded store, in a folder beside the data file unless told. */
export function backupSchedule(
  core: { backupInterval?: number; backupDir?: string; backupKeep: number },
  store: StoreConfig,
  where: (name: string) => string,
): BackupSchedule | null {
  if (core.backupInterval === undefined) {
    if (core.backupDir !== undefined)
      throw new ConfigError(`${where('backupDir')} needs KVGATE_BACKUP_INTERVAL too`)
    return null
  }
  if (store.type !== 'sqlite') {
    throw new ConfigError(
      `${where('backupInterval')} backs up the embedded store; Redis keeps its own backups (BGSAVE snapshots, AOF): schedule those in Redis`,
    )
  }
  if (store.path === ':memory:') {
    throw new ConfigError(
      `${where('backupInterval')}: the store is in memory (KVGATE_DATA=:memory:), nothing to back up`,
    )
  }
  const dir = core.backupDir ?? join(dirname(store.path), 'backups')
  return { intervalMs: core.backupInterval, dir, keep: core.backupKeep }
}

/** The store as logs and reports name it, with no password. */
export function storeLabel(store: StoreConfig): string {
  const prefix = 'prefix' in store && store.prefix !== undefined ? ` (key prefix ${store.prefix})` : ''
  switch (store.type) {
    case 'sqlite':
      return `sqlite ${store.path}`
    case 'redis':
      return `redis ${redactUrl(store.url)}${prefix}`
    case 'redis-cluster':
      return `redis-cluster ${store.nodes.join(',')}${prefix}`
    case 'redis-sentinel':
      return `redis-sentinel master "${store.master}" via ${store.sentinels.join(',')}${prefix}`
  }
}
