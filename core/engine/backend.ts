// The Backend contract every store implements (embedded SQLite, Redis, Redis Cluster).
//
// Each mutation is one call that carries everything it needs (the time, the conditions, the
// computed expiry), so a backend can run it as one atomic unit: a SQLite transaction, or one
// server-side Lua script on Redis. The engine never reads and then writes on a backend's behalf.
// Backends trust their inputs: the engine has validated them.

import type { ChangeListener, ChangePage } from './changes.ts'
import type { Entry, IncrementResult, ScanPage, ScanQuery, ValueKind } from './types.ts'

/** A read-only view of the whole store as of one moment (export reads each namespace through one). */
export interface BackendSnapshot {
  reader: Pick<Backend, 'scan' | 'listKeys' | 'listRange'>
  /** Ends the view; the store is free to move on (SQLite: the WAL can be checkpointed past it). */
  release(): Promise<void>
}

/** A value as stored: bytes plus how to read them, metadata, and when it expires. */
export interface StoredValue {
  bytes: Uint8Array
  kind: ValueKind
  contentType: string | null
  metadata: string | null
  expiresAt: number | null
}

/** Conditions of a write, judged against the live entry (see conditions.ts); ifAbsent never comes with ifExists. */
export interface WriteConditions {
  ifAbsent?: boolean
  ifExists?: boolean
  ifVersion?: number
}

export interface PutConditions extends WriteConditions {
  maxKeys?: number
}

export type DeleteConditions = Omit<WriteConditions, 'ifAbsent'>

/** A list element: its JSON text as sent, and the canonical form that decides equality. */
export interface ListElement {
  canon: string
  text: string
}

/** A batch operation with its expiry resolved. */
export type BackendBatchOp =
  | ({ type: 'put'; key: Uint8Array; value: StoredValue } & WriteConditions)
  | ({ type: 'delete'; key: Uint8Array } & DeleteConditions)
  | { type: 'check'; key: Uint8Array; exists?: boolean; version?: number }

export type IncrementDelta = { type: 'int'; by: bigint } | { type: 'float'; by: number }

export interface Backend {
  readonly name: string

  /** A live entry, or null when absent or expired at `now`. */
  get(ns: string, key: Uint8Array, now: number): Promise<Entry | null>
  /** Writes the value; throws ConflictError or QuotaExceededError when a condition fails. Returns the new version. */
  put(
    ns: string,
    key: Uint8Array,
    value: StoredValue,
    conditions: PutConditions,
    now: number,
  ): Promise<number>
  /** Deletes a live entry; false when there was none. Throws ConflictError when a condition fails. */
  delete(ns: string, key: Uint8Array, conditions: DeleteConditions, now: number): Promise<boolean>
  /** Adds delta to a numeric entry (missing = 0). Throws TypeMismatchError on a non-number or int64 overflow. */
  increment(
    ns: string,
    key: Uint8Array,
    delta: IncrementDelta,
    expiresAt: number | null,
    now: number,
  ): Promise<IncrementResult>
  /** Live entries in byte order of their keys. */
  scan(ns: string, query: ScanQuery, now: number): Promise<ScanPage>
  /** Number of live entries, optionally only those whose key starts with prefix. */
  count(ns: string, prefix: Uint8Array | undefined, now: number): Promise<number>
  /** All operations or none; a failing condition throws ConflictError with its opIndex. */
  batch(ns: string, ops: BackendBatchOp[], now: number): Promise<Array<number | null>>

  /** Replaces (or creates) a list with these elements, already deduplicated. */
  listWrite(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]>
  /** Appends the elements not already present; creates the list when missing. Returns the whole list. */
  listAdd(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]>
  /** Removes elements by canonical form; null when the list does not exist. Returns what remains. */
  listRemove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null>
  /**
   * Elements from start to end, both inclusive, by Redis LRANGE rules: negative positions count from
   * the end, out-of-range bounds are clamped, start after end gives []. Null when the list does not exist.
   */
  listRange(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null>
  /** Number of elements, or null when the list does not exist. */
  listCount(ns: string, key: Uint8Array): Promise<number | null>
  /** Position of the first element equal to any of canons: -1 when none, null when no list. */
  listIndex(ns: string, key: Uint8Array, canons: string[]): Promise<number | null>
  /** Deletes a list; false when it did not exist. */
  listDelete(ns: string, key: Uint8Array): Promise<boolean>
  /** List keys starting with prefix, in byte order; after a given key when paging. */
  listKeys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]>

  /**
   * Writes entries exactly as given (version, updated time, expiry), for import: with overwrite false
   * a live entry is kept. The namespace's version counter is raised to at least the highest version
   * written, so later writes still get higher ones. Returns how many entries were written.
   */
  restore(ns: string, entries: Entry[], overwrite: boolean, now: number): Promise<number>
  /** A consistent view of the whole store, when the backend has one (SQLite on a file); else absent or null. */
  snapshot?(): Promise<BackendSnapshot | null>
  /**
   * A mark that changes when an entry of ns is written or removed, or a list is created or removed:
   * export compares it before and after reading a namespace, where there is no snapshot.
   */
  changeMark?(ns: string): Promise<string>

  /** Removes up to `limit` entries and lists of a namespace; true when nothing of it remains. */
  dropNamespace(ns: string, limit: number): Promise<boolean>
  /** Removes up to `limit` entries expired at `now` (reads already hide them); returns how many. */
  sweep(now: number, limit: number): Promise<number>

  /**
   * Logged changes after revision `after`, oldest first, at most `limit`; `reset` when records
   * after it are no longer kept. Throws UnavailableError('change-log-off') when the log is off.
   */
  changes(ns: string, after: number, limit: number): Promise<ChangePage>
  /**
   * Calls listener with new changes of a namespace once they are committed: those made by this
   * process, and on Redis those of every process. Returns the function that stops it.
   */
  subscribe(ns: string, listener: ChangeListener): () => void
  /** Whether mutations are logged (the change log can be switched off). */
  readonly logsChanges: boolean

  /** Resolves when the store answers; throws UnavailableError otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}
