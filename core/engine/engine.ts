// The Engine every dialect calls: validates against the hard maxima (limits.ts), resolves expiry
// against the clock, canonicalizes list elements, and hands each operation to the backend as one atomic call.

import type { Backend, BackendBatchOp, IncrementDelta } from './backend.ts'
import { canonicalPrimitive, uniqueElements } from './canonical-json.ts'
import type { ChangeListener, ChangePage } from './changes.ts'
import { checkCombination } from './conditions.ts'
import {
  conflictOnKey,
  conflictOnOperation,
  InvalidError,
  NotFoundError,
  TooLargeError,
  UnavailableError,
} from './errors.ts'
import { expiryOf } from './expiry.ts'
import { checkKey, DEFAULT_ENGINE_LIMITS, type EngineLimits, maxItems, storedValue } from './limits.ts'
import { LoadingBackend } from './loading-backend.ts'
import { NamespaceRegistry } from './namespaces.ts'
import { type StoreTimings, TimedBackend } from './timed-backend.ts'
import {
  type BatchOp,
  type BatchResult,
  type Clock,
  type DeleteOptions,
  type Entry,
  type ExpiryOptions,
  type IncrementResult,
  type ListWriteOptions,
  type PutOptions,
  type ScanPage,
  type ScanQuery,
  systemClock,
  type ValueInput,
  type WriteResult,
} from './types.ts'

export interface EngineOptions {
  clock?: Clock
  limits?: Partial<EngineLimits>
  /** How often expired entries are swept and deleted namespaces drained; 0 disables the timer. */
  sweepIntervalMs?: number
  /** Told about background failures (sweeps, namespace drops), which have no request to fail. */
  onBackgroundError?: (error: unknown) => void
  /** Where each backend call's duration goes (the store latency metric); untimed without it. */
  timings?: StoreTimings
}

const SWEEP_BATCH = 1000

export { LATEST_EXPIRY_MS } from './expiry.ts'
// The limits lived here first; importers of engine.ts keep finding them.
export { DEFAULT_ENGINE_LIMITS, type EngineLimits } from './limits.ts'

export class Engine {
  readonly clock: Clock
  readonly limits: EngineLimits
  readonly namespaces: NamespaceRegistry
  private readonly sweepTimer: ReturnType<typeof setInterval> | undefined
  private current: Backend
  private closed = false

  constructor(backend: Backend, options: EngineOptions = {}) {
    const timed = (each: Backend) => (options.timings ? new TimedBackend(each, options.timings) : each)
    this.current = timed(backend)
    // A backend still being imported stands in until it is there; then calls go to it directly.
    if (backend instanceof LoadingBackend) {
      backend.loaded.then(
        (loaded) => {
          this.current = timed(loaded)
        },
        () => {},
      )
    }
    this.clock = options.clock ?? systemClock
    this.limits = { ...DEFAULT_ENGINE_LIMITS, ...options.limits }
    this.namespaces = new NamespaceRegistry(this, options.onBackgroundError)
    const interval = options.sweepIntervalMs ?? 30_000
    if (interval > 0) {
      this.sweepTimer = setInterval(() => {
        this.maintain().catch((error) => options.onBackgroundError?.(error))
      }, interval)
      // The sweeper must never keep a process alive on its own.
      ;(this.sweepTimer as { unref?: () => void }).unref?.()
    }
  }

  /** The backend every operation goes to. */
  get backend(): Backend {
    return this.current
  }

  get backendName(): string {
    return this.current.name
  }

  get(ns: string, key: Uint8Array): Promise<Entry | null> {
    // Not async: every request reads through here, and passing the backend's promise on settles
    // one promise instead of two. A refusal is still a rejection, never a throw.
    try {
      checkKey(key, this.limits)
      return this.open().get(ns, key, this.clock.now())
    } catch (error) {
      return Promise.reject(error)
    }
  }

  async getMany(ns: string, keys: Uint8Array[]): Promise<Array<Entry | null>> {
    for (const key of keys) checkKey(key, this.limits)
    const backend = this.open()
    const now = this.clock.now()
    return Promise.all(keys.map((key) => backend.get(ns, key, now)))
  }

  async put(ns: string, key: Uint8Array, value: ValueInput, options: PutOptions = {}): Promise<WriteResult> {
    checkKey(key, this.limits)
    checkCombination(options)
    const now = this.clock.now()
    const stored = storedValue(value, options, now, this.limits)
    const { ifAbsent, ifExists, ifVersion, maxKeys } = options
    try {
      const version = await this.open().put(ns, key, stored, { ifAbsent, ifExists, ifVersion, maxKeys }, now)
      return { version, expiresAt: stored.expiresAt }
    } catch (error) {
      throw conflictOnKey(error, key)
    }
  }

  async delete(ns: string, key: Uint8Array, options: DeleteOptions = {}): Promise<boolean> {
    checkKey(key, this.limits)
    const { ifExists, ifVersion } = options
    try {
      return await this.open().delete(ns, key, { ifExists, ifVersion }, this.clock.now())
    } catch (error) {
      throw conflictOnKey(error, key)
    }
  }

  /** Adds delta to a numeric entry, creating it at zero. A bigint delta is int64, a number is float64. */
  async increment(
    ns: string,
    key: Uint8Array,
    delta: bigint | number,
    options: ExpiryOptions = {},
  ): Promise<IncrementResult> {
    checkKey(key, this.limits)
    if (typeof delta === 'number' && !Number.isFinite(delta))
      throw new InvalidError('delta', 'delta must be finite')
    const now = this.clock.now()
    const by: IncrementDelta =
      typeof delta === 'bigint' ? { type: 'int', by: delta } : { type: 'float', by: delta }
    return this.open().increment(ns, key, by, expiryOf(options, now), now)
  }

  async scan(ns: string, query: ScanQuery): Promise<ScanPage> {
    if (!Number.isInteger(query.limit) || query.limit < 0 || query.limit > this.limits.maxScanLimit) {
      throw new InvalidError('limit', `limit must be an integer from 0 to ${this.limits.maxScanLimit}`)
    }
    if (query.offset !== undefined && (!Number.isInteger(query.offset) || query.offset < 0)) {
      throw new InvalidError('offset', 'offset must be a non-negative integer')
    }
    return this.open().scan(ns, query, this.clock.now())
  }

  async count(ns: string, options: { prefix?: Uint8Array } = {}): Promise<number> {
    return this.open().count(ns, options.prefix, this.clock.now())
  }

  /** Applies every operation or none: a failing condition throws ConflictError naming its opIndex. */
  async batch(ns: string, ops: BatchOp[]): Promise<BatchResult> {
    if (ops.length > this.limits.maxBatchOps) {
      throw new TooLargeError('batch', `a batch holds at most ${this.limits.maxBatchOps} operations`)
    }
    const now = this.clock.now()
    const resolved = ops.map((op): BackendBatchOp => {
      checkKey(op.key, this.limits)
      if (op.type !== 'put') return op
      checkCombination(op)
      return {
        type: 'put',
        key: op.key,
        value: storedValue(op.value, op, now, this.limits),
        ifAbsent: op.ifAbsent,
        ifExists: op.ifExists,
        ifVersion: op.ifVersion,
      }
    })
    try {
      const versions = await this.open().batch(ns, resolved, now)
      return { versions, expiresAt: resolved.map((op) => (op.type === 'put' ? op.value.expiresAt : null)) }
    } catch (error) {
      throw conflictOnOperation(error, ops)
    }
  }

  // --- Lists: ordered sets of JSON primitives, in their own keyspace per namespace ---

  async listWrite(
    ns: string,
    key: Uint8Array,
    values: string[],
    options: ListWriteOptions = {},
  ): Promise<string[]> {
    checkKey(key, this.limits)
    const most = maxItems(options, this.limits)
    const elements = uniqueElements(values)
    if (elements.length > most) throw new InvalidError('list-size', `a list holds at most ${most} items`)
    return this.open().listWrite(ns, key, elements, most)
  }

  async listAdd(
    ns: string,
    key: Uint8Array,
    values: string[],
    options: ListWriteOptions = {},
  ): Promise<string[]> {
    checkKey(key, this.limits)
    return this.open().listAdd(ns, key, uniqueElements(values), maxItems(options, this.limits))
  }

  async listRemove(ns: string, key: Uint8Array, values: string[]): Promise<string[]> {
    checkKey(key, this.limits)
    return found(await this.open().listRemove(ns, key, values.map(canonicalPrimitive)), key)
  }

  async listRead(ns: string, key: Uint8Array): Promise<string[]> {
    return this.listSlice(ns, key, 0, -1)
  }

  /** Elements from start to end inclusive; negative positions count from the end; bounds are clamped. */
  async listSlice(ns: string, key: Uint8Array, start: number, end: number): Promise<string[]> {
    checkKey(key, this.limits)
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end))
      throw new InvalidError('bounds', 'bounds must be integers')
    return found(await this.open().listRange(ns, key, start, end), key)
  }

  async listCount(ns: string, key: Uint8Array): Promise<number> {
    checkKey(key, this.limits)
    return found(await this.open().listCount(ns, key), key)
  }

  /** Position of the first element equal to any of the candidates, or -1. */
  async listIndex(ns: string, key: Uint8Array, candidates: string[]): Promise<number> {
    checkKey(key, this.limits)
    return found(await this.open().listIndex(ns, key, candidates.map(canonicalPrimitive)), key)
  }

  /** Whether the list exists, or, given candidates, whether it holds one of them. */
  async listExists(ns: string, key: Uint8Array, candidates?: string[]): Promise<boolean> {
    checkKey(key, this.limits)
    const backend = this.open()
    if (!candidates) return (await backend.listCount(ns, key)) !== null
    return ((await backend.listIndex(ns, key, candidates.map(canonicalPrimitive))) ?? -1) >= 0
  }

  async listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    checkKey(key, this.limits)
    return this.open().listDelete(ns, key)
  }

  async listKeys(ns: string, options: { prefix?: Uint8Array; limit?: number } = {}): Promise<Uint8Array[]> {
    return this.open().listKeys(ns, options.prefix, options.limit ?? this.limits.maxScanLimit)
  }

  // --- Change log (the watch feed) ---

  /** Whether mutations are logged, so a namespace can be watched. */
  get logsChanges(): boolean {
    return this.current.logsChanges
  }

  /** Logged changes after revision `after`, oldest first; `reset` when some after it are gone. */
  async changes(ns: string, after: number, limit = 1000): Promise<ChangePage> {
    if (!Number.isSafeInteger(after) || after < 0)
      throw new InvalidError('revision', 'a revision is a non-negative integer')
    return this.open().changes(ns, after, Math.max(1, Math.min(limit, this.limits.maxScanLimit)))
  }

  /** Hears new changes of a namespace once committed (on Redis, from every process); returns the stop. */
  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.open().subscribe(ns, listener)
  }

  // --- Maintenance ---

  /** Deletes expired entries (reads hide them already) and drains deleted namespaces. */
  async maintain(): Promise<void> {
    while (!this.closed && (await this.current.sweep(this.clock.now(), SWEEP_BATCH)) === SWEEP_BATCH) {
      // Keep going while whole batches come back; yield so requests are served in between.
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    if (!this.closed) await this.namespaces.drainDeleted()
  }

  async ping(): Promise<void> {
    await this.open().ping()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.sweepTimer) clearInterval(this.sweepTimer)
    await this.namespaces.idle()
    await this.current.close()
  }

  private open(): Backend {
    if (this.closed) throw new UnavailableError('closed', 'engine is closed')
    return this.current
  }
}

function found<T>(result: T | null, key: Uint8Array): T {
  if (result === null) throw new NotFoundError('list', 'list not found', key)
  return result
}
