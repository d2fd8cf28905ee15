// When a write expires: a relative ttl or an absolute time, resolved against the clock and bounded.

import { InvalidError } from './errors.ts'
import type { ExpiryOptions } from './types.ts'

/**
 * The end of the year 9999 in milliseconds. A later expiry is invalid whatever a dialect allows:
 * beyond it a time no longer survives every backend's round trip (Redis scores and Lua numbers are
 * doubles, SQLite hands back integers past 2^53 as bigints) nor a date formatter.
 */
export const LATEST_EXPIRY_MS = Date.UTC(10000, 0, 1) - 1

/** The absolute expiry in milliseconds of a write made at `now`, or null when it never expires. */
export function expiryOf(options: ExpiryOptions, now: number): number | null {
  const { ttlMs, expiresAt } = options
  if (ttlMs !== undefined && expiresAt !== undefined && expiresAt !== null) {
    throw new InvalidError('expiry', 'give ttlMs or expiresAt, not both')
  }
  if (ttlMs !== undefined) {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new InvalidError('expiry', 'ttl must be positive')
    return latestExpiry(now + Math.ceil(ttlMs))
  }
  if (expiresAt === undefined || expiresAt === null) return null
  if (!Number.isFinite(expiresAt)) throw new InvalidError('expiry', 'expiry must be a time')
  if (expiresAt <= now) throw new InvalidError('expiry', 'expiry is in the past')
  return latestExpiry(Math.ceil(expiresAt))
}

function latestExpiry(expiresAt: number): number {
  if (expiresAt > LATEST_EXPIRY_MS) throw new InvalidError('expiry', 'expiry is after the year 9999')
  return expiresAt
}
