// The Redis and Redis Cluster backend, on ioredis. Every mutation is one Lua script (*.lua), so it
// is atomic without any read-then-write from here; every key of a namespace shares one hash tag
// (keys.ts), so a namespace lives in one slot and its scripts run in a cluster too. A lost
// connection makes each operation fail as "unavailable" within the configured timeout
// (timeout-guard.ts); ioredis reconnects by itself, and operations succeed again once Redis answers.
// Concerns of their own sit beside it: point reads (entry-reads.ts), scans (range-reads.ts), lists,
// the sweeper's set (expiring.ts), export and import (export-import.ts), the change log (change-log.ts).

import type { Buffer } from 'node:buffer'
import type {
  Backend,
  BackendBatchOp,
  DeleteConditions,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from '../backend.ts'
import type { ChangeListener, ChangeLogOptions, ChangePage } from '../changes.ts'
import { CONFLICT_MESSAGES, conditionsOfCheck, presence } from '../conditions.ts'
import {
  ConflictError,
  type ConflictReason,
  QuotaExceededError,
  TypeMismatchError,
  type TypeMismatchReason,
} from '../errors.ts'
import {
  type Entry,
  type IncrementResult,
  type ScanPage,
  type ScanQuery,
  VALUE_KIND_CODES,
} from '../types.ts'
import { RedisChangeLog } from './change-log.ts'
import { optional, type Reply, text } from './codecs.ts'
import { RedisConnection } from './connection.ts'
import { EntryReads } from './entry-reads.ts'
import { ExpiringNamespaces } from './expiring.ts'
import { readChangeMark, restoreEntries } from './export-import.ts'
import { DEFAULT_PREFIX } from './keys.ts'
import { RedisLists } from './lists.ts'
import type { NearCache } from './near-cache.ts'
import { countEntries, scanEntries } from './range-reads.ts'
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

export class RedisBackend implements Backend {
  readonly name: string
  private readonly redis: RedisConnection
  private readonly lists: RedisLists
  private readonly expiring: ExpiringNamespaces
  private readonly changeLog: RedisChangeLog
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
    this.expiring = new ExpiringNamespaces(this.redis)
    this.reads = new EntryReads(this.redis, options.nearCacheBytes ?? 0)
    this.changeLog = new RedisChangeLog(this.redis, options.changeLog)
  }

  /** The near cache, when there is one. */
  get near(): NearCache | null {
    return this.reads.near
  }

  get logsChanges(): boolean {
    return this.changeLog.on
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
        this.changeLog.spec,
      ],
    )) as [number, number | string]
    if (version === -1) throw conflict(hint as ConflictReason)
    if (version === -2) throw new QuotaExceededError('keys')
    this.expiring.hint(ns, value.expiresAt !== null, hint === 1)
    return version
  }

  async delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean> {
    const keys = this.redis.keys(ns)
    const result = (await this.forgetting(
      [keys.entry(key)],
      'delete',
      [keys.entry(key), keys.index, keys.expiring, keys.info, keys.changes, keys.changeHead],
      [key, now, presence(conditions), conditions.ifVersion ?? '', this.changeLog.spec],
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
        this.changeLog.spec,
      ],
    )) as Reply[]
    const status = text(reply[0])
    if (status === 'mismatch') throw new TypeMismatchError(text(reply[1]) as TypeMismatchReason)
    const [kind, result, version, hint] = [text(reply[1]), text(reply[2]), reply[3] as number, reply[4]]
    this.expiring.hint(ns, expiresAt !== null, hint === 1)
    return Number(kind) === VALUE_KIND_CODES.int
      ? { value: BigInt(result), kind: 'int', version }
      : { value: Number(result), kind: 'float', version }
  }

  scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage> {
    return scanEntries(this.redis, ns, query, now)
  }

  count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    return countEntries(this.redis, ns, prefix, now)
  }

  async batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>> {
    if (ops.length === 0) return []
    const keys = this.redis.keys(ns)
    const args: ScriptArg[] = [now, this.changeLog.spec]
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
    this.expiring.hint(ns, expiring, reply[1] === 1)
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

  restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number> {
    return restoreEntries(this.redis, this.reads, this.expiring, ns, entries, overwrite, now)
  }

  changeMark(ns: string): Promise<string> {
    return readChangeMark(this.redis, ns)
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

  sweep(now: number, limit: number): Promise<number> {
    return this.expiring.sweep(now, limit, this.changeLog.spec)
  }

  // --- Change log ---

  changes(ns: string, after: number, limit: number): Promise<ChangePage> {
    return this.changeLog.read(ns, after, limit)
  }

  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.changeLog.subscribe(ns, listener)
  }

  async ping(): Promise<void> {
    await this.redis.guarded(this.redis.client.ping())
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.changeLog.close()
    this.reads.close()
    await this.redis.close()
  }

  // --- Internals ---

  /** Runs a write's script through the near cache's side of it (entry-reads.ts). */
  private forgetting(entryKeys: Buffer[], ...run: Parameters<RedisConnection['run']>): Promise<Reply> {
    return this.reads.writing(entryKeys, () => this.redis.run(...run))
  }
}

const conflict = (reason: ConflictReason) => new ConflictError(reason, CONFLICT_MESSAGES[reason])
