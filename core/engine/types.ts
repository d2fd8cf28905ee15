// The shared data model every dialect and every backend speaks (see ARCHITECTURE.md, "The engine").
// Times are absolute milliseconds since the epoch; dialects convert to seconds at their edge.

/**
 * Every value kind, in the order of its stored code: a kind is stored as its index here (a SQLite
 * column, a Redis hash field, the Redis scripts' constants), so this list only ever grows at the end.
 */
export const VALUE_KINDS = ['bytes', 'text', 'json', 'int', 'float'] as const

/** How a value's bytes are to be read. The engine stores the kind; dialects decide it. */
export type ValueKind = (typeof VALUE_KINDS)[number]

/** The stored code of each kind: its index in VALUE_KINDS. */
export const VALUE_KIND_CODES = Object.fromEntries(VALUE_KINDS.map((kind, code) => [kind, code])) as Readonly<
  Record<ValueKind, number>
>

/** The kind of a stored code; an unknown code (written by a later version) reads as bytes. */
export const kindOfCode = (code: number): ValueKind => VALUE_KINDS[code] ?? 'bytes'

/** Everything about an entry except its value bytes (what a scan without values returns). */
export interface EntryInfo {
  key: Uint8Array
  kind: ValueKind
  contentType: string | null
  /** Caller-defined JSON text, stored verbatim. */
  metadata: string | null
  version: number
  updatedAt: number
  expiresAt: number | null
}

/** An entry as read. Treat it as read-only: a backend may hand the same object to several readers. */
export interface Entry extends EntryInfo {
  value: Uint8Array
}

export interface ScanEntry extends EntryInfo {
  /** Present only when the scan asked for values. */
  value?: Uint8Array
}

/** What a caller writes. */
export interface ValueInput {
  bytes: Uint8Array
  kind?: ValueKind
  contentType?: string | null
  metadata?: string | null
}

/** Expiry of a write: relative (ttlMs) or absolute (expiresAt); neither means "never expires". */
export interface ExpiryOptions {
  ttlMs?: number
  expiresAt?: number | null
}

export interface PutOptions extends ExpiryOptions {
  /** Fail with a conflict (reason 'exists') when a live entry exists. */
  ifAbsent?: boolean
  /** Fail with a conflict (reason 'missing') unless a live entry exists. Not with ifAbsent. */
  ifExists?: boolean
  /** Fail with a conflict (reason 'version') unless a live entry exists with exactly this version. */
  ifVersion?: number
  /** Fail with quota_exceeded when this write would create a key beyond this many live keys. */
  maxKeys?: number
}

export interface DeleteOptions {
  /** Fail with a conflict (reason 'version') unless a live entry exists with exactly this version. */
  ifVersion?: number
  /** Fail with a conflict (reason 'missing') unless a live entry exists, instead of answering false. */
  ifExists?: boolean
}

export interface WriteResult {
  version: number
  expiresAt: number | null
}

export interface IncrementResult {
  value: bigint | number
  kind: 'int' | 'float'
  version: number
}

export interface ScanQuery {
  prefix?: Uint8Array
  /** Continue after this key (before it when reverse): the cursor of the previous page. */
  cursor?: Uint8Array
  /** Entries to skip before the first one returned. */
  offset?: number
  limit: number
  reverse?: boolean
  withValues?: boolean
}

export interface ScanPage {
  entries: ScanEntry[]
  /** The last key returned when more entries follow; null on the last page. */
  cursor: Uint8Array | null
}

/**
 * One operation of an atomic batch. Every condition is judged against the state before the batch,
 * and the operations then apply in order (a key written twice keeps the last value).
 */
export type BatchOp =
  | ({ type: 'put'; key: Uint8Array; value: ValueInput } & Omit<PutOptions, 'maxKeys'>)
  | ({ type: 'delete'; key: Uint8Array } & DeleteOptions)
  /** Asserts the state of a key: that it exists (or not), or has a given version. */
  | { type: 'check'; key: Uint8Array; exists?: boolean; version?: number }

export interface BatchResult {
  /** Per operation: the new version for puts, null for deletes, the current version (or null) for checks. */
  versions: Array<number | null>
  /** Per operation: when a put's entry expires (null when never); null for deletes and checks. */
  expiresAt: Array<number | null>
}

/** Options of list writes. */
export interface ListWriteOptions {
  /** Refuse (invalid) a write that would leave more elements than this. */
  maxItems?: number
}

export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
