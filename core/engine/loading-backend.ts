// A Backend that stands in while the real one's module is still being imported: each call waits
// for it, then goes through. The Engine swaps in the real backend once it is there, so only calls
// made in a process's first moments take the extra step. It lets a store be opened without a
// wait (createKvgate stays synchronous) while its module is imported only when it is configured.

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

export class LoadingBackend implements Backend {
  constructor(
    readonly name: string,
    /** The real backend, or the error that opening it failed with (which every call then fails with). */
    readonly loaded: Promise<Backend>,
    /** Whether the backend being loaded logs changes (known from the configuration). */
    readonly logsChanges = true,
  ) {
    // Failing to open is reported by the calls; with none made, it is no unhandled rejection.
    loaded.catch(() => {})
  }

  get(ns: string, key: Uint8Array, now: number): Promise<Entry | null> {
    return this.loaded.then((backend) => backend.get(ns, key, now))
  }

  put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number> {
    return this.loaded.then((backend) => backend.put(ns, key, value, conditions, now))
  }

  delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean> {
    return this.loaded.then((backend) => backend.delete(ns, key, conditions, now))
  }

  increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult> {
    return this.loaded.then((backend) => backend.increment(ns, key, delta, expiresAt, now))
  }

  scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage> {
    return this.loaded.then((backend) => backend.scan(ns, query, now))
  }

  count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number> {
    return this.loaded.then((backend) => backend.count(ns, prefix, now))
  }

  batch(ns: string, ops: BackendBatchOp[], now: number): ReturnType<Backend['batch']> {
    return this.loaded.then((backend) => backend.batch(ns, ops, now))
  }

  listWrite(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.loaded.then((backend) => backend.listWrite(ns, key, elements, maxItems))
  }

  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.loaded.then((backend) => backend.listAdd(ns, key, elements, maxItems))
  }

  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return this.loaded.then((backend) => backend.listRemove(ns, key, canons))
  }

  listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    return this.loaded.then((backend) => backend.listRange(ns, key, start, end))
  }

  listCount(ns: string, key: Uint8Array): Promise<number | null> {
    return this.loaded.then((backend) => backend.listCount(ns, key))
  }

  listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    return this.loaded.then((backend) => backend.listIndex(ns, key, canons))
  }

  listDelete(ns: string, key: Uint8Array): Promise<boolean> {
    return this.loaded.then((backend) => backend.listDelete(ns, key))
  }

  listKeys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    return this.loaded.then((backend) => backend.listKeys(ns, prefix, limit, after))
  }

  restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number> {
    return this.loaded.then((backend) => backend.restore(ns, entries, overwrite, now))
  }

  dropNamespace(ns: string, limit: number): Promise<boolean> {
    return this.loaded.then((backend) => backend.dropNamespace(ns, limit))
  }

  sweep(now: number, limit: number): Promise<number> {
    return this.loaded.then((backend) => backend.sweep(now, limit))
  }

  changes(ns: string, after: number, limit: number): Promise<ChangePage> {
    return this.loaded.then((backend) => backend.changes(ns, after, limit))
  }

  subscribe(ns: string, listener: ChangeListener): () => void {
    let stop: (() => void) | null = null
    let stopped = false
    this.loaded.then(
      (backend) => {
        if (!stopped) stop = backend.subscribe(ns, listener)
      },
      () => {},
    )
    return () => {
      stopped = true
      stop?.()
    }
  }

  ping(): Promise<void> {
    return this.loaded.then((backend) => backend.ping())
  }

  /** Closes the backend once it is open; one that failed to open has nothing to close. */
  close(): Promise<void> {
    return this.loaded.then(
      (backend) => backend.close(),
      () => {},
    )
  }
}
