// The Redis backend's connection: the ioredis client (one Redis or a cluster) with the failure
// policy of REDIS.md, "Failures" (no command is ever sent twice, a lost Redis is found again within
// about a second, every operation settles within the timeout), the key names of each namespace,
// and the scripts run through it.

import type { Buffer } from 'node:buffer'
import { Cluster, type ClusterNode, Redis, type RedisOptions, ReplyError } from 'ioredis'
import { EngineError, UnavailableError } from '../errors.ts'
import type { Reply } from './codecs.ts'
import { scriptArg } from './codecs.ts'
import { checkPrefix, NamespaceKeys } from './keys.ts'
import { commandName, defineScripts, type ScriptArg, type ScriptName } from './scripts.ts'
import { TimeoutGuard } from './timeout-guard.ts'

export type Client = Redis | Cluster

export interface ConnectionOptions {
  /** redis:// or rediss:// URL, with password and db index if any. */
  url?: string
  /** host:port of some cluster nodes; the rest are discovered. */
  clusterNodes?: string[]
  /** Put before every key (validated: no braces). */
  prefix: string
  /** How long an operation may take before it fails as unavailable. */
  timeoutMs: number
}

/** Reconnection attempts back off up to this delay, so Redis is found again within about a second. */
const MAX_RECONNECT_DELAY_MS = 500
/** Reply errors that mean Redis cannot serve (now, or with these credentials), not that the request was wrong. */
const UNAVAILABLE_REPLY =
  /^(OOM|LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK|NOAUTH|WRONGPASS|NOPERM)\b/
const KEPT_NAMESPACES = 10_000

export class RedisConnection {
  readonly client: Client
  readonly prefix: string
  readonly timeoutMs: number
  private readonly guard: TimeoutGuard
  private readonly keyCache = new Map<string, NamespaceKeys>()
  private lastError: string | null = null

  constructor(options: ConnectionOptions) {
    this.prefix = checkPrefix(options.prefix)
    this.timeoutMs = options.timeoutMs
    this.client = connect(options)
    // Without a listener ioredis prints every connection error; failures reach callers instead.
    this.client.on('error', (error: Error) => {
      this.lastError = error.message
    })
    defineScripts(this.client)
    this.guard = new TimeoutGuard(this.timeoutMs, (error) => this.storeError(error))
  }

  /** The key names of a namespace, built once and kept for the namespaces in use. */
  keys(ns: string): NamespaceKeys {
    let keys = this.keyCache.get(ns)
    if (!keys) {
      if (this.keyCache.size >= KEPT_NAMESPACES) this.keyCache.clear()
      keys = new NamespaceKeys(this.prefix, ns)
      this.keyCache.set(ns, keys)
    }
    return keys
  }

  /** Runs a script; with `buffers`, bulk replies come back as Buffers instead of strings. */
  run(name: ScriptName, keys: Buffer[], args: ScriptArg[], buffers = false): Promise<Reply> {
    const command = (this.client as any)[`${commandName(name)}${buffers ? 'Buffer' : ''}`] as (
      ...args: unknown[]
    ) => Promise<Reply>
    return this.guarded(command.call(this.client, ...keys, ...args.map(scriptArg)))
  }

  /** Settles within the timeout, turning connection failures into UnavailableError. */
  guarded<T>(operation: Promise<T>): Promise<T> {
    return this.guard.guard(operation)
  }

  async close(): Promise<void> {
    const quit = this.client.quit().catch(() => {})
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, this.timeoutMs))])
    this.client.disconnect()
    this.guard.close()
  }

  private storeError(error: unknown): unknown {
    if (error instanceof EngineError) return error
    if (error instanceof ReplyError && !UNAVAILABLE_REPLY.test((error as Error).message)) return error
    const reason = (error as Error)?.message ?? String(error)
    return new UnavailableError(
      'unreachable',
      `Redis unavailable: ${this.lastError && this.lastError !== reason ? `${reason} (${this.lastError})` : reason}`,
    )
  }
}

function connect(options: ConnectionOptions): Client {
  const connection: RedisOptions = {
    connectTimeout: options.timeoutMs,
    // A connection that stops answering is dropped and made again, rather than waited on.
    socketTimeout: options.timeoutMs,
    // A command caught by a dropped connection fails instead of being sent twice (an increment
    // must never apply twice); commands queued while reconnecting fail at each failed attempt.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
    enableAutoPipelining: true,
  }
  if (options.clusterNodes?.length) {
    return new Cluster(options.clusterNodes.map(parseNode), {
      enableAutoPipelining: true,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: options.timeoutMs,
      redisOptions: connection,
    })
  }
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', connection)
}

function parseNode(node: string): ClusterNode {
  const at = node.lastIndexOf(':')
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
}
