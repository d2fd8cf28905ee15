// KVdb's per-IP rate limit: every request under the prefix counts (CORS preflights never reach
// here), through the core limiter, whose counts live in the engine's backend and are therefore
// shared by every kvgate process on one Redis.

import type { RateLimiter } from '../../core/rate-limit.ts'
import { messages, textResponse } from './errors.ts'
import type { KvdbOptions } from './options.ts'

export interface RateLimitOutcome {
  headers: Record<string, string>
  /** The 429 to answer instead of handling the request, when over the limit. */
  refused: Response | null
}

export async function countRequest(
  limiter: RateLimiter,
  options: KvdbOptions,
  ip: string,
): Promise<RateLimitOutcome> {
  if (options.rateLimit === 0) return { headers: {}, refused: null }
  const result = await limiter.hit(`kvdb:${ip}`, options.rateLimit, options.rateLimitWindow)
  const headers = {
    'x-ratelimit-limit': String(result.limit),
    'x-ratelimit-remaining': String(result.remaining),
    'x-ratelimit-reset': String(result.resetAt),
  }
  if (result.allowed) return { headers, refused: null }
  return {
    headers,
    refused: textResponse(429, messages.tooManyRequests, { 'retry-after': String(result.retryAfter) }),
  }
}
