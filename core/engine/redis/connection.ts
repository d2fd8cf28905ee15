// The Redis backend's connection: the ioredis client (one Redis, a cluster, or the master Sentinel
// names) with the failure policy of REDIS.md, "Failures" (no command is ever sent twice, a lost
// Redis is found again within about a second, every operation settles within the timeout, and
// fails in kvgate's words), the key names of each namespace, and the scripts run through it.

import type { Buffer } from 'node:buffer'
import { Cluster, Redis, type RedisOptions, ReplyError } from 'ioredis'
import { EngineError, UnavailableError } from '../errors.ts'
import type { Reply } from './codecs.ts'
import { scriptArg } from './codecs.ts'
import { failureText, replyCode, timeoutText, UNAVAILABLE_REPLIES } from './failures.ts'
import { checkPrefix, NamespaceKeys } from './keys.ts'
import { ReplicaWait } from './replicas.ts'
import { runScript, type ScriptArg, type ScriptName } from './scripts.ts'
import { TimeoutGuard } from './timeout-guard.ts'
import { DEFAULT_URL, parseNode, type RedisTarget, sentinelOptions, targetName } from './topology.ts'
import { INVALIDATION_OPTIONS, Tracking, type TrackingEvents } from './tracking.ts'

export type Client = Redis | Cluster

export interface ConnectionOptions extends RedisTarget {
  /** Put before every key (validated: no braces). */
  prefix: string
  /** How long an operation may take before it fails as unavailable. */
  timeoutMs: number
  /** Replicas that must have a write before it is acknowledged (not on a cluster). */
  minReplicas?: number
}

/** Reconnection attempts back off up to this delay, so Redis is found again within about a second. */
const MAX_RECONNECT_DELAY_MS = 500
const KEPT_NAMESPACES = 10_000

export class RedisConnection {
  readonly client: Client
  readonly prefix: string
  readonly timeoutMs: number
  private readonly guard: TimeoutGuard
  private readonly keyCache = new Map<string, NamespaceKeys>()
  /** How messages name this Redis. */
  private readonly target: string
  private readonly replicaWait: ReplicaWait | null = null
  /** The connection's last error while it is down (null once it is ready again), to say why. */
  private connectionError: Error | null = null
  private sentinelError: Error | null = null

  constructor(private readonly options: ConnectionOptions) {
    this.prefix = checkPrefix(options.prefix)
    this.timeoutMs = options.timeoutMs
    this.target = targetName(options)
    this.client = this.open(options)
    this.guard = new TimeoutGuard(
      this.timeoutMs,
      (error) => this.storeError(error),
      () =>
        new UnavailableError(
          'timeout',
          timeoutText(this.target, this.timeoutMs, this.connectionError, this.sentinelError),
        ),
    )
    if (options.minReplicas) {
      if (this.client instanceof Cluster)
        throw new Error('KVGATE_REDIS_MIN_REPLICAS does not work on a cluster')
      // Writes get a connection of their own: WAIT holds up the connection it is sent on.
      const writer = this.open(options) as Redis
      this.replicaWait = new ReplicaWait(writer, options.minReplicas, this.timeoutMs, this.target)
    }
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
    const wait = this.replicaWait?.covers(name) ? this.replicaWait : null
    const client = wait ? wait.client : this.client
    const reply = runScript(client, name, [...keys, ...args.map(scriptArg)], buffers) as Promise<Reply>
    return this.guarded(wait ? wait.confirm(reply, Date.now()) : reply)
  }

  /** The invalidation connections of the near cache, to the same Redis (or each cluster master). */
  openTracking(events: TrackingEvents): Tracking {
    const options = this.options
    const open = (node?: { host: string; port: number }) => {
      const connection = { ...connectionOptions(options), ...INVALIDATION_OPTIONS }
      if (node) return new Redis({ ...connection, ...node })
      if (options.sentinel) return new Redis(sentinelOptions(options.sentinel, connection))
      return new Redis(options.url ?? DEFAULT_URL, connection)
    }
    return new Tracking(this.client, open, this.prefix, events)
  }

  /** Settles within the timeout, turning connection failures into UnavailableError. */
  guarded<T>(operation: Promise<T>): Promise<T> {
    return this.guard.guard(operation)
  }

  async close(): Promise<void> {
    const clients = [this.client, ...(this.replicaWait ? [this.replicaWait.client] : [])]
    const quit = Promise.all(clients.map((client) => client.quit().catch(() => {})))
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, this.timeoutMs))])
    for (const client of clients) client.disconnect()
    this.guard.close()
  }

  /** A client whose connection errors are kept to say why it is down. */
  private open(options: ConnectionOptions): Client {
    const client = connect(options)
    // Without a listener ioredis prints every connection error; failures reach callers instead.
    client.on('error', (error: Error) => {
      this.connectionError = error
    })
    client.on('sentinelError', (error: Error) => {
      this.sentinelError = error
    })
    client.on('ready', () => {
      this.connectionError = null
      this.sentinelError = null
    })
    return client
  }

  private storeError(error: unknown): unknown {
    if (error instanceof EngineError) return error
    if (error instanceof ReplyError && !UNAVAILABLE_REPLIES.has(replyCode((error as Error).message)))
      return error
    return new UnavailableError(
      'unreachable',
      failureText(this.target, error, this.connectionError, this.sentinelError),
    )
  }
}

/** The options of each connection to one Redis (of a cluster's nodes too). */
function connectionOptions(options: ConnectionOptions): RedisOptions {
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
  // A URL's own password wins over this one (configuration refuses both at once).
  if (options.password !== undefined) connection.password = options.password
  return connection
}

function connect(options: ConnectionOptions): Client {
  const connection = connectionOptions(options)
  if (options.sentinel) return new Redis(sentinelOptions(options.sentinel, connection))
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
  return new Redis(options.url ?? DEFAULT_URL, connection)
}
