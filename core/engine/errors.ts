// Typed engine errors: each says what went wrong, never how HTTP should answer it.
// Every error carries its class's `code` and a machine-readable `reason` from a small closed set,
// so a dialect decides its answer by code or reason and never by message text. The messages are
// for people (logs, and dialects that echo them) and may change; codes and reasons are the contract.

import type { BatchOp } from './types.ts'

export type EngineErrorCode =
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'invalid'
  | 'type_mismatch'
  | 'quota_exceeded'
  | 'unavailable'

/**
 * Why a condition failed.
 * - exists: ifAbsent, or a batch check for absence, met a live entry (or a namespace id already taken)
 * - missing: ifExists, or a batch check for existence, found no live entry
 * - version: ifVersion, or a batch check of a version, met another version or no entry
 * - title-taken: a namespace title is already used by the same dialect and owner
 * - namespace-changed: a namespace update with ifVersion lost to a concurrent change
 * - busy: a namespace kept changing while an update retried; trying again later may succeed
 */
export type ConflictReason = 'exists' | 'missing' | 'version' | 'title-taken' | 'namespace-changed' | 'busy'

/** What was not found: a namespace, a list (lists are not created by reads), an operator account. */
export type NotFoundReason = 'namespace' | 'list' | 'account'

/** Which part is over its hard maximum: the key, the value, the metadata, or the number of batch operations. */
export type TooLargeReason = 'key' | 'value' | 'metadata' | 'batch'

/**
 * What is invalid.
 * - key: an empty key
 * - expiry: a ttl or expiry time that is not positive, in the past, after 9999, or both given at once
 * - conditions: conditions that cannot be combined (ifAbsent with ifVersion or ifExists)
 * - delta: an increment that is not a finite number
 * - limit, offset: a scan's limit or offset out of range
 * - bounds: list slice bounds that are not integers
 * - list-size: a list write or add that would leave more elements than allowed
 * - json: a list element that is not a JSON primitive
 * - namespace-id: a caller-chosen namespace id of the wrong form
 * - name: a namespace's dialect, owner or title holding a NUL
 * - dialect: an operator account for a dialect that takes none
 * - role: a credential rotation naming a role the account does not have
 */
export type InvalidReason =
  | 'key'
  | 'revision'
  | 'expiry'
  | 'conditions'
  | 'delta'
  | 'limit'
  | 'offset'
  | 'bounds'
  | 'list-size'
  | 'json'
  | 'namespace-id'
  | 'name'
  | 'dialect'
  | 'role'

/** Why an increment failed: the value is not a number, or the sum leaves int64 or float64. */
export type TypeMismatchReason = 'not-a-number' | 'int-overflow' | 'float-overflow'

/** Which quota: the number of live keys in a namespace (a put's maxKeys). */
export type QuotaExceededReason = 'keys'

/**
 * Why the store cannot serve: it is closed (shutting down); it did not answer in time; it cannot be
 * reached or refused for now (a lost connection, Redis loading or out of memory); it is busy (SQLite
 * locked by another process beyond the busy timeout); it could not be opened.
 */
/**
 * Why the store cannot serve: it is closed, did not answer in time, cannot be reached (or refuses
 * for now), is busy, could not be opened, or fewer replicas than required confirmed a write
 * (which the master has applied nonetheless).
 */
export type UnavailableReason =
  | 'closed'
  | 'timeout'
  | 'unreachable'
  | 'busy'
  | 'open-failed'
  | 'replicas'
  | 'change-log-off'

export class EngineError<Reason extends string = string> extends Error {
  constructor(
    readonly code: EngineErrorCode,
    readonly reason: Reason,
    message: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }
}

export class NotFoundError extends EngineError<NotFoundReason> {
  constructor(
    reason: NotFoundReason,
    message = 'not found',
    /** The key of what is missing (a list's), so a dialect can name it in its answer. */
    readonly key?: Uint8Array,
  ) {
    super('not_found', reason, message)
  }
}

/** A condition failed: ifAbsent, ifExists, ifVersion, a batch check, or a unique title. */
export class ConflictError extends EngineError<ConflictReason> {
  /** The entry's key, when the condition was on one entry (put, delete, batch), so an answer can name it. */
  key?: Uint8Array
  constructor(
    // 'version' by default only for callers written before reasons existed; the engine always names one.
    reason: ConflictReason = 'version',
    message = 'conflict',
    /** Index of the batch operation whose condition failed, when it came from a batch. */
    readonly opIndex?: number,
  ) {
    super('conflict', reason, message)
  }
}

/** Names the entry a conflict was about; any other error is returned as it is. */
export function conflictOnKey(error: unknown, key: Uint8Array): unknown {
  if (error instanceof ConflictError) error.key = key
  return error
}

/** conflictOnKey for a batch: the operation its opIndex names gives the key. */
export function conflictOnOperation(error: unknown, ops: readonly BatchOp[]): unknown {
  const op = error instanceof ConflictError && error.opIndex !== undefined ? ops[error.opIndex] : undefined
  return op ? conflictOnKey(error, op.key) : error
}

export class TooLargeError extends EngineError<TooLargeReason> {
  constructor(reason: TooLargeReason, message = 'too large') {
    super('too_large', reason, message)
  }
}

export class InvalidError extends EngineError<InvalidReason> {
  constructor(reason: InvalidReason, message = 'invalid') {
    super('invalid', reason, message)
  }
}

/** An increment met a value that is not a number, or an int64 or float64 overflowed. */
export class TypeMismatchError extends EngineError<TypeMismatchReason> {
  constructor(reason: TypeMismatchReason, message: string = TYPE_MISMATCH_MESSAGES[reason]) {
    super('type_mismatch', reason, message)
  }
}

const TYPE_MISMATCH_MESSAGES: Record<TypeMismatchReason, string> = {
  'not-a-number': 'value is not a number',
  'int-overflow': 'integer overflow',
  'float-overflow': 'float overflow',
}

export class QuotaExceededError extends EngineError<QuotaExceededReason> {
  constructor(reason: QuotaExceededReason = 'keys', message = 'key quota exceeded') {
    super('quota_exceeded', reason, message)
  }
}

/** The store cannot be reached; the request may succeed when retried later. */
export class UnavailableError extends EngineError<UnavailableReason> {
  constructor(reason: UnavailableReason, message = 'store unavailable') {
    super('unavailable', reason, message)
  }
}

export const isEngineError = (error: unknown): error is EngineError => error instanceof EngineError
