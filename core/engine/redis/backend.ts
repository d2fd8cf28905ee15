// The Redis and Redis Cluster backend, on ioredis. Every mutation is one Lua script (*.lua), so it
// is atomic without any read-then-write from here; every key of a namespace shares one hash tag
// (keys.ts), so a namespace lives in one slot and its scripts run in a cluster too. A lost
// connection makes each operation fail as "unavailable" within the configured timeout
// (timeout-guard.ts); ioredis reconnects by itself, and operations succeed again once Redis answers.

import { Buffer } from 'node:buffer'
import type {
  Backend,
  BackendBatchOp,
  DeleteConditions,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from '../backend.ts'
import { compareBytes, prefixEnd } from '../bytes.ts'
import {
  type ChangeListener,
  type ChangeLogOptions,
  type ChangePage,
  DEFAULT_CHANGE_LOG,
} from '../changes.ts'
import { CONFLICT_MESSAGES, conditionsOfCheck, presence } from '../conditions.ts'
import {
  ConflictError,
  type ConflictReason,
  QuotaExceededError,
  TypeMismatchError,
  type TypeMismatchReason,
  UnavailableError,
} from '../errors.ts'
import {
  type Entry,
  type IncrementResult,
  type ScanPage,
  type ScanQuery,
  VALUE_KIND_CODES,
} from '../types.ts'
import { RedisChangeFeed } from './change-feed.ts'
import {
  bytes,
  ENTRY_FIELDS,
  entriesOfScan,
  entryFromFields,
  entryFromInfo,
  optional,
  type Reply,
  text,
} from './codecs.ts'
import { RedisConnection } from './connection.ts'
import { EntryReads } from './entry-reads.ts'
import { DEFAULT_PREFIX, expiringSetKey, lex } from './keys.ts'
import { RedisLists } from './lists.ts'
import type { NearCache } from './near-cache.ts'
import type { ScriptArg } from './scripts.ts'
import { type RedisTarget, targetOf } from './topology.ts'

export interface RedisBackendOptions extends RedisTarget {
  /** Replicas that must have a write before it is acknowledged (replicas.ts; not on a cluster). */
  minReplicas?: number
  /** Put before every key, so several kvgates (or other applications) can share one Redis. */
  prefix?: string
  /** How long an operation may take before it fails as unavailable. */
  timeoutMs?: number
  /** The change log's retention; null switches it off (nothing is logged, nothing can be watched). */
  changeLog?: ChangeLogOptions | null
  /** Bytes of the near cache (near-cache.ts, kept coherent by Redis's invalidations); 0 or absent: none. */
  nearCacheBytes?: number
}

/** How often one process reminds the sweeper of a namespace with expiring entries, at most. */
const HINT_INTERVAL_MS = 60_000

export class RedisBackend implements Backend {
  readonly name: string
  private readonly redis: RedisConnection
  private readonly lists: RedisLists
  private readonly hinted = new Map<string, number>()
  /** The scripts' change log argument: '' when off, else '<max entries>,<max age ms>'. */
  private readonly logSpec: string
  private readonly feed: RedisChangeFeed | null
  private readonly reads: EntryReads
  private closed = false

  constructor(options: RedisBackendOptions) {
    this.name = options.clusterNodes?.length ? 'redis-cluster' : options.sentinel ? 'redis-sentinel' : 'redis'
    this.redis = new RedisConnection({
      ...targetOf(options),
      minReplicas: options.minReplicas,
      prefix: options.prefix ?? DEFAULT_PREFIX,
      timeoutMs: options.timeoutMs ?? 2000,
    })
    this.lists = new RedisLists(this.redis)
    this.reads = new EntryReads(this.redis, options.nearCacheBytes ?? 0)
    const log = options.changeLog === null ? null : (options.changeLog ?? DEFAULT_CHANGE_LOG)
    this.logSpec = log ? `${log.maxEntries},${log.maxAgeMs}` : ''
    this.feed = log ? new RedisChangeFeed(this.redis) : null
  }

  /** The near cache, when there is one. */
  get near(): NearCache | null {
    return this.reads.near
  }

  get logsChanges(): boolean {
    return this.feed !== null
  }

  /** Put before every key of this backend. */
  get prefix(): string {
    return this.redis.prefix
  }

  // --- Entries ---

  get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    return this.reads.get(this.redis.keys(ns).entry(key), key, now)
  }

  async put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    const keys = this.redis.keys(ns)
    const [version, hint] = (await this.forgetting(
      [keys.entry(key)],
      'put',
      [keys.entry(key), keys.index, keys.expiring, keys.version, keys.info, keys.changes, keys.changeHead],
      [
        key,
        value.bytes,
        String(VALUE_KIND_CODES[value.kind]),
        optional(value.contentType),
        optional(value.metadata),
        value.expiresAt ?? '',
        now,
        presence(conditions),
        conditions.ifVersion ?? '',
        conditions.maxKeys ?? '',
        this.logSpec,
      ],
    )) as [number, number | string]
    if (version === -1) throw conflict(hint as ConflictReason)
    if (version === -2) throw new QuotaExceededError('keys')
    this.hint(ns, value.expiresAt !== null, hint === 1)
    return version
  }

  async delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean> {
    const keys = this.redis.keys(ns)
    const result = (await this.forgetting(
      [keys.entry(key)],
      'delete',
      [keys.entry(key), keys.index, keys.expiring, keys.info, keys.changes, keys.changeHead],
      [key, now, presence(conditions), conditions.ifVersion ?? '', this.logSpec],
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
    const keys = this.redis.keys(ns)
    const reply = (await this.forgetting(
      [keys.entry(key)],
      'increment',
      [
        keys.entry(key),
        keys.index,
        keys.expiring,
        keys.version,
        keys.scratch,
        keys.info,
        keys.changes,
        keys.changeHead,
      ],
      [
        key,
        delta.type,
        delta.type === 'int' ? delta.by.toString() : String(delta.by),
        expiresAt ?? '',
        now,
        this.logSpec,
      ],
    )) as Reply[]
    const status = text(reply[0])
    if (status === 'mismatch') throw new TypeMismatchError(text(reply[1]) as TypeMismatchReason)
    const [kind, result, version, hint] = [text(reply[1]), text(reply[2]), reply[3] as number, reply[4]]
    this.hint(ns, expiresAt !== null, hint === 1)
    return Number(kind) === VALUE_KIND_CODES.int
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
    const keys = this.redis.keys(ns)
    const packed = (await this.redis.run(
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
    )) as Buffer
    const entries = entriesOfScan(packed, withValues)
    const more = entries.length > limit
    if (more) entries.length = limit
    return { entries, cursor: more && entries.length > 0 ? entries[entries.length - 1]!.key : null }
  }

  async count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    const keys = this.redis.keys(ns)
    const end = prefix?.length ? prefixEnd(prefix) : null
    return (await this.redis.run(
      'count',
      [keys.index, keys.expiring],
      [prefix?.length ? lex.from(prefix) : lex.min, end ? lex.after(end) : lex.max, prefix ?? '', now],
    )) as number
  }

  async batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>> {
    if (ops.length === 0) return []
    const keys = this.redis.keys(ns)
    const args: ScriptArg[] = [now, this.logSpec]
    let expiring = false
    for (const op of ops) {
      if (op.type === 'put') {
        const { value } = op
        if (value.expiresAt !== null) expiring = true
        args.push(
          'p',
          op.key,
          presence(op),
          op.ifVersion ?? '',
          value.bytes,
          String(VALUE_KIND_CODES[value.kind]),
          optional(value.contentType),
          optional(value.metadata),
          value.expiresAt ?? '',
        )
      } else if (op.type === 'delete') {
        args.push('d', op.key, presence(op), op.ifVersion ?? '', '', '', '', '', '')
      } else {
        args.push('c', op.key, presence(conditionsOfCheck(op)), op.version ?? '', '', '', '', '', '')
      }
    }
    const written = ops.filter((op) => op.type !== 'check').map((op) => keys.entry(op.key))
    const reply = (await this.forgetting(
      written,
      'batch',
      [keys.index, keys.expiring, keys.version, keys.info, keys.changes, keys.changeHead],
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

  listWrite(ns: string, key: Uint8Array, elements: ListElement[], _maxItems: number): Promise<string[]> {
    return this.lists.write(ns, key, elements)
  }

  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.lists.add(ns, key, elements, maxItems)
  }

  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return this.lists.remove(ns, key, canons)
  }

  listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    return this.lists.range(ns, key, start, end)
  }

  listCount(ns: string, key: Uint8Array): Promise<number | null> {
    return this.lists.count(ns, key)
  }

  listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    return this.lists.index(ns, key, canons)
  }

  listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return this.lists.delete(ns, key)
  }

  listKeys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    return this.lists.keys(ns, prefix, limit, after)
  }

  // --- Export and import ---

  async restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number> {
    if (entries.length === 0) return 0
    const keys = this.redis.keys(ns)
    const args: ScriptArg[] = [Buffer.concat([keys.base, Buffer.from(':e:')]), overwrite ? '1' : '0', now]
    let expiring = false
    for (const entry of entries) {
      if (entry.expiresAt !== null) expiring = true
      args.push(
        entry.key,
        entry.value,
        String(VALUE_KIND_CODES[entry.kind]),
        optional(entry.contentType),
        optional(entry.metadata),
        entry.version,
        entry.updatedAt,
        entry.expiresAt ?? '',
      )
    }
    const [written, hint] = (await this.forgetting(
      entries.map((entry) => keys.entry(entry.key)),
      'restore',
      [keys.index, keys.expiring, keys.version, keys.info],
      args,
    )) as [number, number]
    this.hint(ns, expiring, hint === 1)
    return written
  }

  /**
   * Redis has no snapshot a client can read a namespace through page by page; export instead reads
   * this mark before and after, and reads again when it moved. Every entry write raises the version
   * counter and every removal shrinks the index; lists count by their index.
   */
  async changeMark(ns: string): Promise<string> {
    const keys = this.redis.keys(ns)
    const { client } = this.redis
    const [version, entries, lists] = await this.redis.guarded(
      Promise.all([client.get(keys.version), client.zcard(keys.index), client.zcard(keys.lists)]),
    )
    return `${version ?? 0}/${entries}/${lists}`
  }

  // --- Maintenance ---

  async dropNamespace(ns: string, limit: number): Promise<boolean> {
    const keys = this.redis.keys(ns)
    const done = await this.redis.run(
      'drop',
      [keys.index, keys.expiring, keys.version, keys.lists, keys.info, keys.changes, keys.changeHead],
      [keys.base, Math.max(1, limit)],
    )
    return done === 1
  }

  async sweep(now: number, limit: number): Promise<number> {
    const setKey = expiringSetKey(this.redis.prefix)
    const namespaces = await this.redis.guarded(this.redis.client.smembers(setKey))
    let removed = 0
    for (const ns of namespaces) {
      if (removed >= limit) break
      const keys = this.redis.keys(ns)
      const [count, left] = (await this.redis.run(
        'sweep',
        [keys.index, keys.expiring, keys.info, keys.changes, keys.changeHead],
        [keys.base, now, limit - removed, this.logSpec],
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

  // --- Change log ---

  async changes(ns: string, after: number, limit: number): Promise<ChangePage> {
    if (!this.feed) throw new UnavailableError('change-log-off', 'the change log is switched off')
    return this.feed.read(ns, after, limit)
  }

  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.feed ? this.feed.subscribe(ns, listener) : () => {}
  }

  async ping(): Promise<void> {
    await this.redis.guarded(this.redis.client.ping())
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.feed?.close()
    this.reads.close()
    await this.redis.close()
  }

  // --- Internals ---

  /** Runs a write's script through the near cache's side of it (entry-reads.ts). */
  private forgetting(entryKeys: Buffer[], ...run: Parameters<RedisConnection['run']>): Promise<Reply> {
    return this.reads.writing(entryKeys, () => this.redis.run(...run))
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
    this.redis.client.sadd(expiringSetKey(this.redis.prefix), ns).catch(() => this.hinted.delete(ns))
  }
}

const conflict = (reason: ConflictReason) => new ConflictError(reason, CONFLICT_MESSAGES[reason])
