// Fixed-window rate limits counted in the engine's store, so every kvgate process on one Redis
// shares one count per client.

import { utf8 } from './engine/bytes.ts'
import type { Engine } from './engine/engine.ts'
import { RateLimitedError } from './http/errors.ts'

export const RATE_LIMIT_NAMESPACE = '_ratelimit'

export interface RateLimitResult {
  allowed: boolean
  limit: number
  remaining: number
  /** Unix seconds when the current window ends. */
  resetAt: number
  /** Seconds until a refused client may try again. */
  retryAfter: number
}

export class RateLimiter {
  constructor(private readonly engine: Engine) {}

  /** Counts one request of `subject` (e.g. "kvdb:203.0.113.9") against `limit` per window. */
  async hit(subject: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const windowMs = windowSeconds * 1000
    const now = this.engine.clock.now()
    const windowStart = Math.floor(now / windowMs) * windowMs
    const windowEnd = windowStart + windowMs
    const { value } = await this.engine.increment(
      RATE_LIMIT_NAMESPACE,
      utf8(`${subject}\u0000${windowStart}`),
      1n,
      {
        expiresAt: windowEnd,
      },
    )
    const count = Number(value)
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt: Math.ceil(windowEnd / 1000),
      retryAfter: Math.max(1, Math.ceil((windowEnd - now) / 1000)),
    }
  }

  /**
   * Counts one request and throws RateLimitedError (429 with Retry-After, in the dialect's shape)
   * when it is over the limit; a limit of 0 counts nothing. `headers` adds headers to the refusal.
   */
  async enforce(
    subject: string,
    limit: number,
    windowSeconds: number,
    headers: (result: RateLimitResult) => Record<string, string> = () => ({}),
  ): Promise<RateLimitResult | null> {
    if (limit <= 0) return null
    const result = await this.hit(subject, limit, windowSeconds)
    if (!result.allowed) throw new RateLimitedError(result.retryAfter, headers(result))
    return result
  }
}
