// The hard maxima every dialect's own limits sit inside, and the checks of a key, a value and a
// list's size against them: pure functions, so the Engine's methods read as the operation alone.

import type { StoredValue } from './backend.ts'
import { InvalidError, TooLargeError } from './errors.ts'
import { expiryOf } from './expiry.ts'
import type { ExpiryOptions, ListWriteOptions, ValueInput } from './types.ts'

/** Hard maxima: the outer bounds of any dialect's own limits, configurable by the operator. */
export interface EngineLimits {
  maxKeyBytes: number
  maxValueBytes: number
  maxMetadataBytes: number
  maxBatchOps: number
  maxListItems: number
  maxScanLimit: number
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxKeyBytes: 4096,
  maxValueBytes: 32 * 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
  maxBatchOps: 10_000,
  maxListItems: 100_000,
  maxScanLimit: 100_000,
}

export function checkKey(key: Uint8Array, limits: EngineLimits): void {
  if (key.length === 0) throw new InvalidError('key', 'key must not be empty')
  if (key.length > limits.maxKeyBytes) {
    throw new TooLargeError('key', `key is longer than ${limits.maxKeyBytes} bytes`)
  }
}

/** A value as the backend stores it: sizes checked, expiry resolved against `now`. */
export function storedValue(
  value: ValueInput,
  expiry: ExpiryOptions,
  now: number,
  limits: EngineLimits,
): StoredValue {
  if (value.bytes.length > limits.maxValueBytes) {
    throw new TooLargeError('value', `value is longer than ${limits.maxValueBytes} bytes`)
  }
  const metadata = value.metadata ?? null
  if (metadata !== null && metadata.length > limits.maxMetadataBytes) {
    throw new TooLargeError('metadata', `metadata is longer than ${limits.maxMetadataBytes} bytes`)
  }
  return {
    bytes: value.bytes,
    kind: value.kind ?? 'bytes',
    contentType: value.contentType ?? null,
    metadata,
    expiresAt: expiryOf(expiry, now),
  }
}

/** A list's largest size: the caller's, never above the hard maximum. */
export function maxItems(options: ListWriteOptions, limits: EngineLimits): number {
  return Math.min(options.maxItems ?? limits.maxListItems, limits.maxListItems)
}
