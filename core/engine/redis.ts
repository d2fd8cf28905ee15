// The Redis and Redis Cluster backend, on ioredis. Every mutation is one Lua script (redis/*.lua),
// so it is atomic without any read-then-write from here; every key of a namespace shares one hash
// tag (redis/keys.ts), so a namespace lives in one slot and its scripts run in a cluster too.
// A lost connection makes each operation fail as "unavailable" within the configured timeout;
// ioredis reconnects by itself, and operations succeed again once Redis answers.

import { Buffer } from 'node:buffer'
import { Cluster, type ClusterNode, Redis, type RedisOptions, ReplyError } from 'ioredis'
import type {
  Backend,
  BackendBatchOp,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from './backend.ts'
import { compareBytes, prefixEnd } from './bytes.ts'
import { CONFLICT_MESSAGES } from './conditions.ts'
import {
  ConflictError,
  type ConflictReason,
  EngineError,
  InvalidError,
  QuotaExceededError,
  TypeMismatchError,
  type TypeMismatchReason,
  UnavailableError,
} from './errors.ts'
import { checkPrefix, DEFAULT_PREFIX, expiringSetKey, lex, NamespaceKeys } from './redis/keys.ts'
import { commandName, defineScripts, type ScriptArg, type ScriptName } from './redis/scripts.ts'
import type { Entry, IncrementResult, ScanEntry, ScanPage, ScanQuery, ValueKind } from './types.ts'

export interface RedisBackendOptions {
  /** redis:// or rediss:// URL, with password and db index if any. */
  url?: string
  /** host:port of some cluster nodes; the rest are discovered. */
  clusterNodes?: string[]
  /** Put before every key, so several kvgates (or other applications) can share one Redis. */
  prefix?: string
  /** How long an operation may take before it fails as unavailable. */
  timeoutMs?: number
}

const KINDS: ValueKind[] = ['bytes', 'text', 'json', 'int', 'float']
const KIND_CODES: Record<ValueKind, string> = { bytes: '0', text: '1', json: '2', int: '3', float: '4' }
const ENTRY_FIELDS = ['v', 'k', 'c', 'm', 'n', 'u', 'x']
/** How often one process reminds the sweeper of a namespace with expiring entries, at most. */
const HINT_INTERVAL_MS = 60_000
/** Reconnection attempts back off up to this delay, so Redis is found again within about a second. */
const MAX_RECONNECT_DELAY_MS = 500
/** Reply errors that mean Redis cannot serve (now, or with these credentials), not that the request was wrong. */
const UNAVAILABLE_REPLY =
  /^(OOM|LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|MOVED|ASK|NOAUTH|WRONGPASS|NOPERM)\b/

type Client = Redis | Cluster
type InFlight = { deadline: number; reject: (error: unknown) => void }
type Reply = Buffer | string | number | null | Reply[]

export class RedisBackend implements Backend {
  readonly name: string
  readonly prefix: string
  private readonly client: Client
  private readonly timeoutMs: number
  private readonly hinted = new Map<string, number>()
  private readonly keyCache = new Map<string, NamespaceKeys>()
  private closed = false
  private lastError: string | null = null
  /** Operations in flight, oldest first (every one has the same timeout, so deadlines are in order). */
  private readonly inFlight = new Set<InFlight>()
  private readonly ticker: ReturnType<typeof setInterval>

  constructor(options: RedisBackendOptions) {
    this.prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX)
    this.timeoutMs = options.timeoutMs ?? 2000
    const connection: RedisOptions = {
      connectTimeout: this.timeoutMs,
      // A connection that stops answering is dropped and made again, rather than waited on.
      socketTimeout: this.timeoutMs,
      // A command caught by a dropped connection fails instead of being sent twice (an increment
      // must never apply twice); commands queued while reconnecting fail at each failed attempt.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
      enableAutoPipelining: true,
    }
    if (options.clusterNodes?.length) {
      this.name = 'redis-cluster'
      this.client = new Cluster(options.clusterNodes.map(parseNode), {
        enableAutoPipelining: true,
        clusterRetryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: this.timeoutMs,
        redisOptions: connection,
      })
    } else {
      this.name = 'redis'
      this.client = new Redis(options.url ?? 'redis://127.0.0.1:6379', connection)
    }
    // Without a listener ioredis prints every connection error; failures reach callers instead.
    this.client.on('error', (error: Error) => {
      this.lastError = error.message
    })
    defineScripts(this.client)
    // One timer for every operation in flight, not one each: it fails those past their deadline.
    this.ticker = setInterval(() => this.expireInFlight(), Math.max(10, Math.min(100, this.timeoutMs / 10)))
    ;(this.ticker as { unref?: () => void }).unref?.()
  }

  // --- Entries ---

  async get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    const fields = (await this.guard(
      this.client.hmgetBuffer(this.keys(ns).entry(key), ...ENTRY_FIELDS),
    )) as Array<Buffer | null>
    if (!fields[4]) return null
    const entry = toEntry(key, fields.slice(1), fields[0]!)
    return entry.expiresAt === null || entry.expiresAt > now ? (entry as Entry) : null
  }

  async put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    const keys = this.keys(ns)
    const [version, hint] = (await this.run(
      'put',
      [keys.entry(key), keys.index, keys.expiring, keys.version, keys.info],
      [
        key,
        value.bytes,
        KIND_CODES[value.kind],
        optional(value.contentType),
        optional(value.metadata),
        value.expiresAt ?? '',
        now,
        conditions.ifAbsent ? '1' : '',
        conditions.ifVersion ?? '',
        conditions.maxKeys ?? '',
      ],
    )) as [number, number | string]
    if (version === -1) throw conflict(hint as ConflictReason)
    if (version === -2) throw new QuotaExceededError('keys')
    this.hint(ns, value.expiresAt !== null, hint === 1)
    return version
  }

  async delete(ns: string, key: Uint8Array, ifVersion: number | undefined, now: number): Promise<boolean> {
    const keys = this.keys(ns)
    const result = (await this.run(
      'delete',
      [keys.entry(key), keys.index, keys.expiring, keys.info],
      [key, now, ifVersion ?? ''],
    )) as number | string
    if (typeof result === 'string') throw conflict(result as ConflictReason)
    return result === 1
  }

  async increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult> {
    const keys = this.keys(ns)
    const reply = (await this.run(
      'increment',
      [keys.entry(key), keys.index, keys.expiring, keys.version, keys.scratch, keys.info],
      [key, delta.type, delta.type === 'int' ? delta.by.toString() : String(delta.by), expiresAt ?? '', now],
    )) as Reply[]
    const status = text(reply[0])
    if (status === 'mismatch') throw new TypeMismatchError(text(reply[1]) as TypeMismatchReason)
    const [kind, result, version, hint] = [text(reply[1]), text(reply[2]), reply[3] as number, reply[4]]
    this.hint(ns, expiresAt !== null, hint === 1)
    return kind === KIND_CODES.int
      ? { value: BigInt(result), kind: 'int', version }
      : { value: Number(result), kind: 'float', version }
  }

  async scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage> {
    const { prefix, cursor, reverse = false, withValues = false, offset = 0, limit } = query
    let lower: Buffer | string = prefix?.length ? lex.from(prefix) : lex.min
    const end = prefix?.length ? prefixEnd(prefix) : null
    let upper: Buffer | string = end ? lex.after(end) : lex.max
    if (cursor && !reverse && (!prefix?.length || compareBytes(cursor, prefix) >= 0))
      lower = lex.after(cursor)
    if (cursor && reverse && (!end || compareBytes(cursor, end) < 0)) upper = lex.after(cursor)
    const keys = this.keys(ns)
    const flat = (await this.run(
      'scan',
      [keys.index, keys.info],
      [
        Buffer.concat([keys.base, Buffer.from(':e:')]),
        lower,
        upper,
        reverse ? '1' : '0',
        offset,
        limit + 1,
        now,
        withValues ? '1' : '0',
      ],
      true,
    )) as Array<Buffer | null>
    const width = withValues ? 3 : 2
    const entries: ScanEntry[] = []
    for (let i = 0; i < flat.length; i += width) {
      entries.push(fromInfo(bytes(flat[i]!), flat[i + 1]!, withValues ? flat[i + 2] : undefined))
    }
    const more = entries.length > limit
    if (more) entries.length = limit
    return { entries, cursor: more && entries.length > 0 ? entries[entries.length - 1]!.key : null }
  }

  async count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    const keys = this.keys(ns)
    const end = prefix?.length ? prefixEnd(prefix) : null
    return (await this.run(
      'count',
      [keys.index, keys.expiring],
      [prefix?.length ? lex.from(prefix) : lex.min, end ? lex.after(end) : lex.max, prefix ?? '', now],
    )) as number
  }

  async batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>> {
    if (ops.length === 0) return []
    const keys = this.keys(ns)
    const args: ScriptArg[] = [now]
    let expiring = false
    for (const op of ops) {
      if (op.type === 'put') {
        const { value } = op
        if (value.expiresAt !== null) expiring = true
        args.push(
          'p',
          op.key,
          op.ifAbsent ? '1' : '',
          op.ifVersion ?? '',
          value.bytes,
          KIND_CODES[value.kind],
          optional(value.contentType),
          optional(value.metadata),
          value.expiresAt ?? '',
        )
      } else if (op.type === 'delete') {
        args.push('d', op.key, '', op.ifVersion ?? '', '', '', '', '', '')
      } else {
        const exists = op.exists === undefined ? '' : op.exists ? '1' : '0'
        args.push('c', op.key, exists, op.version ?? '', '', '', '', '', '')
      }
    }
    const reply = (await this.run(
      'batch',
      [keys.index, keys.expiring, keys.version, keys.info],
      [keys.base, ...args],
    )) as Reply[]
    if (text(reply[0]) === 'conflict') {
      const index = reply[1] as number
      throw new ConflictError(
        text(reply[2]) as ConflictReason,
        `condition of operation ${index} failed`,
        index,
      )
    }
    this.hint(ns, expiring, reply[1] === 1)
    return (reply.slice(2) as number[]).map((version) => (version === -1 ? null : version))
  }

  // --- Lists ---

  async listWrite(
    ns: string,
    key: Uint8Array,
    elements: ListElement[],
    _maxItems: number,
  ): Promise<string[]> {
    await this.run('listWrite', this.listKeys3(ns, key), [key, ...pairs(elements)])
    return elements.map((element) => element.text)
  }

  async listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    const reply = (await this.run('listAdd', this.listKeys3(ns, key), [
      key,
      maxItems,
      ...pairs(elements),
    ])) as string[]
    if (reply[0] === 'too_many') throw new InvalidError('list-size', `a list holds at most ${maxItems} items`)
    return reply.slice(1)
  }

  async listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    const reply = (await this.run('listRemove', this.listKeys3(ns, key), [key, ...canons])) as string[]
    return reply[0] === 'none' ? null : reply.slice(1)
  }

  async listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    const reply = (await this.run('listRead', this.listKeys3(ns, key), [
      key,
      'range',
      start,
      end,
    ])) as string[]
    return reply[0] === 'none' ? null : reply.slice(1)
  }

  async listCount(ns: string, key: Uint8Array): Promise<number | null> {
    const reply = (await this.run('listRead', this.listKeys3(ns, key), [key, 'count'])) as Reply[]
    return reply[0] === 'none' ? null : (reply[1] as number)
  }

  async listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    const reply = (await this.run('listRead', this.listKeys3(ns, key), [key, 'index', ...canons])) as Reply[]
    return reply[0] === 'none' ? null : (reply[1] as number)
  }

  async listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return ((await this.run('listDelete', this.listKeys3(ns, key), [key])) as number) === 1
  }

  async listKeys(ns: string, prefix: Uint8Array | undefined, limit: number): Promise<Uint8Array[]> {
    const end = prefix?.length ? prefixEnd(prefix) : null
    const members = await this.guard(
      this.client.zrangebylexBuffer(
        this.keys(ns).lists,
        prefix?.length ? lex.from(prefix) : lex.min,
        end ? lex.after(end) : lex.max,
        'LIMIT',
        0,
        limit,
      ),
    )
    return members.map(bytes)
  }

  // --- Maintenance ---

  async dropNamespace(ns: string, limit: number): Promise<boolean> {
    const keys = this.keys(ns)
    const done = await this.run(
      'drop',
      [keys.index, keys.expiring, keys.version, keys.lists, keys.info],
      [keys.base, Math.max(1, limit)],
    )
    return done === 1
  }

  async sweep(now: number, limit: number): Promise<number> {
    const setKey = expiringSetKey(this.prefix)
    const namespaces = await this.guard(this.client.smembers(setKey))
    let removed = 0
    for (const ns of namespaces) {
      if (removed >= limit) break
      const keys = this.keys(ns)
      const [count, left] = (await this.run(
        'sweep',
        [keys.index, keys.expiring, keys.info],
        [keys.base, now, limit - removed],
      )) as [number, number]
      removed += count
      if (left === 0) {
        // A write may have added an expiring entry between the script and SREM: look again after.
        await this.guard(this.client.srem(setKey, ns))
        if ((await this.guard(this.client.exists(keys.expiring))) === 1) {
          await this.guard(this.client.sadd(setKey, ns))
        }
      }
    }
    return removed
  }

  async ping(): Promise<void> {
    await this.guard(this.client.ping())
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const quit = this.client.quit().catch(() => {})
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, this.timeoutMs))])
    this.client.disconnect()
    clearInterval(this.ticker)
    for (const entry of this.inFlight) entry.reject(new UnavailableError('closed', 'store is closed'))
    this.inFlight.clear()
  }

  // --- Internals ---

  /** The key names of a namespace, built once and kept for the namespaces in use. */
  private keys(ns: string): NamespaceKeys {
    let keys = this.keyCache.get(ns)
    if (!keys) {
      if (this.keyCache.size >= 10_000) this.keyCache.clear()
      keys = new NamespaceKeys(this.prefix, ns)
      this.keyCache.set(ns, keys)
    }
    return keys
  }

  private listKeys3(ns: string, key: Uint8Array): Buffer[] {
    const keys = this.keys(ns)
    return [keys.listItems(key), keys.listTexts(key), keys.lists]
  }

  private run(name: ScriptName, keys: Buffer[], args: ScriptArg[], buffers = false): Promise<Reply> {
    const command = (this.client as any)[`${commandName(name)}${buffers ? 'Buffer' : ''}`] as (
      ...args: unknown[]
    ) => Promise<Reply>
    return this.guard(command.call(this.client, ...keys, ...args.map(arg)))
  }

  /** Settles within the timeout, turning connection failures into UnavailableError. */
  private guard<T>(operation: Promise<T>): Promise<T> {
    if (this.closed) {
      operation.catch(() => {})
      return Promise.reject(new UnavailableError('closed', 'store is closed'))
    }
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { deadline: Date.now() + this.timeoutMs, reject }
      this.inFlight.add(entry)
      operation.then(
        (value) => {
          this.inFlight.delete(entry)
          resolve(value)
        },
        (error) => {
          this.inFlight.delete(entry)
          reject(this.storeError(error))
        },
      )
    })
  }

  private expireInFlight(): void {
    const now = Date.now()
    for (const entry of this.inFlight) {
      if (entry.deadline > now) return
      this.inFlight.delete(entry)
      entry.reject(new UnavailableError('timeout', `Redis did not answer within ${this.timeoutMs} ms`))
    }
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

  /**
   * Tells the sweeper that a namespace has expiring entries: when a write made its expiry index
   * non-empty, and now and then besides, so a reminder lost with a crashed process is made good.
   */
  private hint(ns: string, expiring: boolean, first: boolean): void {
    if (!expiring) return
    const now = Date.now()
    if (!first && now - (this.hinted.get(ns) ?? 0) < HINT_INTERVAL_MS) return
    this.hinted.set(ns, now)
    if (this.hinted.size > 10_000) this.hinted.clear()
    this.client.sadd(expiringSetKey(this.prefix), ns).catch(() => this.hinted.delete(ns))
  }
}

function parseNode(node: string): ClusterNode {
  const at = node.lastIndexOf(':')
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) }
}

/** Null as '', text as '=' + text: scripts tell "none" from an empty string. */
const optional = (value: string | null) => (value === null ? '' : `=${value}`)

function arg(value: ScriptArg): string | Buffer {
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** A plain Uint8Array view of a reply buffer, so callers compare it like any other key or value. */
const bytes = (buffer: Buffer): Uint8Array =>
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

const text = (reply: Reply | undefined): string =>
  Buffer.isBuffer(reply) ? reply.toString() : typeof reply === 'string' ? reply : String(reply)

/** An entry from its hash fields k, c, m, n, u, x (in that order) and, when read, its value. */
function toEntry(key: Uint8Array, fields: Array<Buffer | null>, value: Buffer | null | undefined): ScanEntry {
  const [kind, contentType, metadata, version, updatedAt, expiresAt] = fields
  const entry: ScanEntry = {
    key,
    kind: KINDS[Number(text(kind!))] ?? 'bytes',
    contentType: contentType ? contentType.toString() : null,
    metadata: metadata ? metadata.toString() : null,
    version: Number(text(version!)),
    updatedAt: Number(text(updatedAt!)),
    expiresAt: expiresAt ? Number(expiresAt.toString()) : null,
  }
  if (value !== undefined) entry.value = value ? bytes(value) : new Uint8Array(0)
  return entry
}

/** An entry from its packed info field (see redis/common.lua) and, when read, its value. */
function fromInfo(key: Uint8Array, info: Buffer, value: Buffer | null | undefined): ScanEntry {
  const header = info.indexOf(0x3a) // ':'
  const [kind, version, updatedAt, expiresAt, typeLength, metadataLength] = info
    .toString('latin1', 0, header)
    .split(',')
  let at = header + 1
  const slice = (length: number) => {
    if (length < 0) return null
    const text = info.toString('utf8', at, at + length)
    at += length
    return text
  }
  const contentType = slice(Number(typeLength))
  const metadata = slice(Number(metadataLength))
  const entry: ScanEntry = {
    key,
    kind: KINDS[Number(kind)] ?? 'bytes',
    contentType,
    metadata,
    version: Number(version),
    updatedAt: Number(updatedAt),
    expiresAt: expiresAt ? Number(expiresAt) : null,
  }
  if (value !== undefined) entry.value = value ? bytes(value) : new Uint8Array(0)
  return entry
}

const conflict = (reason: ConflictReason) => new ConflictError(reason, CONFLICT_MESSAGES[reason])

function pairs(elements: ListElement[]): string[] {
  return elements.flatMap((element) => [element.canon, element.text])
}
