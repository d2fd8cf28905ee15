// Times every backend call for the store latency metric: the Engine wraps its backend in this when
// given StoreTimings. Each call costs two clock reads and one reaction on the backend's promise;
// the caller gets that same promise, so a GET settles no extra promise on its way back.

import type {
  Backend,
  BackendBatchOp,
  DeleteConditions,
  IncrementDelta,
  ListElement,
  PutConditions,
  StoredValue,
} from './backend.ts'
import type { ChangeListener, ChangePage } from './changes.ts'
import type { Entry, IncrementResult, ScanPage, ScanQuery } from './types.ts'

/** Where a backend call's duration goes: one series per operation, asked for once and kept. */
export interface StoreTimings {
  series(operation: string, backend: string): { observe(seconds: number): void }
}

type Series = ReturnType<StoreTimings['series']>
type Operation = Exclude<
  keyof Backend,
  'name' | 'close' | 'subscribe' | 'logsChanges' | 'snapshot' | 'changeMark'
>

const OPERATIONS: Operation[] = [
  'get',
  'put',
  'delete',
  'increment',
  'scan',
  'count',
  'batch',
  'listWrite',
  'listAdd',
  'listRemove',
  'listRange',
  'listCount',
  'listIndex',
  'listDelete',
  'listKeys',
  'restore',
  'dropNamespace',
  'sweep',
  'changes',
  'ping',
]

function timed<T>(series: Series, started: number, promise: Promise<T>): Promise<T> {
  // Failed calls count too: a store that times out is exactly what the histogram should show.
  const done = () => series.observe((performance.now() - started) / 1000)
  promise.then(done, done)
  return promise
}

export class TimedBackend implements Backend {
  private readonly series: Record<Operation, Series>

  constructor(
    readonly backend: Backend,
    timings: StoreTimings,
  ) {
    this.series = Object.fromEntries(
      OPERATIONS.map((operation) => [operation, timings.series(operation, backend.name)]),
    ) as Record<Operation, Series>
  }

  get name(): string {
    return this.backend.name
  }

  get logsChanges(): boolean {
    return this.backend.logsChanges
  }

  changes(ns: string, after: number, limit: number): Promise<ChangePage> {
    return timed(this.series.changes, performance.now(), this.backend.changes(ns, after, limit))
  }

  /** Not timed: it waits for changes, it does not ask the store for anything. */
  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.backend.subscribe(ns, listener)
  }

  get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    return timed(this.series.get, performance.now(), this.backend.get(ns, key, now))
  }

  put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    return timed(this.series.put, performance.now(), this.backend.put(ns, key, value, conditions, now))
  }

  delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean> {
    return timed(this.series.delete, performance.now(), this.backend.delete(ns, key, conditions, now))
  }

  increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult> {
    return timed(
      this.series.increment,
      performance.now(),
      this.backend.increment(ns, key, delta, expiresAt, now),
    )
  }

  scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage> {
    return timed(this.series.scan, performance.now(), this.backend.scan(ns, query, now))
  }

  count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    return timed(this.series.count, performance.now(), this.backend.count(ns, prefix, now))
  }

  batch(ns: string, ops: BackendBatchOp[], now: number): ReturnType<Backend['batch']> {
    return timed(this.series.batch, performance.now(), this.backend.batch(ns, ops, now))
  }

  listWrite(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return timed(
      this.series.listWrite,
      performance.now(),
      this.backend.listWrite(ns, key, elements, maxItems),
    )
  }

  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return timed(this.series.listAdd, performance.now(), this.backend.listAdd(ns, key, elements, maxItems))
  }

  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return timed(this.series.listRemove, performance.now(), this.backend.listRemove(ns, key, canons))
  }

  listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    return timed(this.series.listRange, performance.now(), this.backend.listRange(ns, key, start, end))
  }

  listCount(ns: string, key: Uint8Array): Promise<number | null> {
    return timed(this.series.listCount, performance.now(), this.backend.listCount(ns, key))
  }

  listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    return timed(this.series.listIndex, performance.now(), this.backend.listIndex(ns, key, canons))
  }

  listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return timed(this.series.listDelete, performance.now(), this.backend.listDelete(ns, key))
  }

  listKeys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    return timed(this.series.listKeys, performance.now(), this.backend.listKeys(ns, prefix, limit, after))
  }

  restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number> {
    return timed(this.series.restore, performance.now(), this.backend.restore(ns, entries, overwrite, now))
  }

  dropNamespace(ns: string, limit: number): Promise<boolean> {
    return timed(this.series.dropNamespace, performance.now(), this.backend.dropNamespace(ns, limit))
  }

  sweep(now: number, limit: number): Promise<number> {
    return timed(this.series.sweep, performance.now(), this.backend.sweep(now, limit))
  }

  ping(): Promise<void> {
    return timed(this.series.ping, performance.now(), this.backend.ping())
  }

  close(): Promise<void> {
    return this.backend.close()
  }
}
