// Typed engine errors: each says what went wrong, never how HTTP should answer it.
// Every dialect's errors.ts maps these codes to its own documented status and body.

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
  constructor(
    message = 'not found',
    /** The key of what is missing (a list's), so a dialect can name it in its answer. */
    readonly key?: Uint8Array,
  ) {
    super('not_found', message)
  }
}

/** A condition failed: ifAbsent, ifVersion, a batch check, or a unique title. */
export class ConflictError extends EngineError {
  constructor(
    message = 'conflict',
    /** Index of the batch operation whose condition failed, when it came from a batch. */
    readonly opIndex?: number,
  ) {
    super('conflict', message)
  }
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
