// Typed engine errors: each says what went wrong, never how HTTP should answer it.
// Every dialect's errors.ts maps these codes to its own documented status and body.

import type { BatchOp } from './types.ts'

export type EngineErrorCode =
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'invalid'
  | 'type_mismatch'
  | 'quota_exceeded'
  | 'unavailable'

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }
}

export class NotFoundError extends EngineError {
  constructor(message = 'not found') {
    super('not_found', message)
  }
}

/**
 * Which condition on one entry failed: `exists` (ifAbsent, or a check for absence, met a live entry),
 * `missing` (a check for existence found none), `version` (ifVersion, or a version check, met
 * another version or no entry).
 */
export type ConflictReason = 'exists' | 'missing' | 'version'

/** A condition failed: ifAbsent, ifVersion, a batch check, or a unique title. */
export class ConflictError extends EngineError {
  /** The entry's key, when the condition was on one entry (put, delete, batch), so an answer can name it. */
  key?: Uint8Array
  /**
   * Set by the Engine from the condition it was given. Interim: once the backends name the reason
   * themselves (branch `engine`), only `key` stays set here.
   */
  reason?: ConflictReason
  constructor(
    message = 'conflict',
    /** Index of the batch operation whose condition failed, when it came from a batch. */
    readonly opIndex?: number,
  ) {
    super('conflict', message)
  }
}

/** Names the entry and the failed condition on a conflict; any other error is returned as it is. */
export function conflictOn(error: unknown, key: Uint8Array, reason: ConflictReason): unknown {
  if (error instanceof ConflictError) {
    error.key = key
    error.reason ??= reason
  }
  return error
}

/** conflictOn for a batch: the operation its opIndex names gives the key and the condition. */
export function batchConflictOn(error: unknown, ops: readonly BatchOp[]): unknown {
  const op = error instanceof ConflictError && error.opIndex !== undefined ? ops[error.opIndex] : undefined
  if (!op) return error
  if (op.type === 'check' && op.exists !== undefined) {
    return conflictOn(error, op.key, op.exists ? 'missing' : 'exists')
  }
  return conflictOn(error, op.key, op.type === 'put' && op.ifAbsent ? 'exists' : 'version')
}

export class TooLargeError extends EngineError {
  constructor(message = 'too large') {
    super('too_large', message)
  }
}

export class InvalidError extends EngineError {
  constructor(message = 'invalid') {
    super('invalid', message)
  }
}

/** An increment met a value that is not a number, or an int64 overflowed. */
export class TypeMismatchError extends EngineError {
  constructor(message = 'value is not a number') {
    super('type_mismatch', message)
  }
}

export class QuotaExceededError extends EngineError {
  constructor(message = 'key quota exceeded') {
    super('quota_exceeded', message)
  }
}

/** The store cannot be reached; the request may succeed when retried later. */
export class UnavailableError extends EngineError {
  constructor(message = 'store unavailable') {
    super('unavailable', message)
  }
}

export const isEngineError = (error: unknown): error is EngineError => error instanceof EngineError
