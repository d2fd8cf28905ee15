// KVdb's per-IP rate limit: every request a KVdb route takes counts (CORS preflights are answered
// before any route runs), through the core limiter, whose counts live in the engine's store and are
// therefore shared by every kvgate process on one Redis. Every answer carries the counts, a refusal too.

import type { Call } from '../../core/http/call.ts'
import type { RateLimitResult } from '../../core/rate-limit.ts'
import type { KvdbContext } from './context.ts'

const countHeaders = (result: RateLimitResult): Record<string, string> => ({
  'x-ratelimit-limit': String(result.limit),
  'x-ratelimit-remaining': String(result.remaining),
  'x-ratelimit-reset': String(result.resetAt),
})

/** Counts the request; over the limit it throws the 429. Only called while the limit is on. */
export async function countRequest(ctx: KvdbContext, call: Call): Promise<void> {
  const { rateLimit, rateLimitWindow } = ctx.options
  const subject = `kvdb:${call.clientAddress(ctx.trustedProxies)}`
  const result = await ctx.rateLimit.enforce(subject, rateLimit, rateLimitWindow, countHeaders)
  if (result) call.responseHeaders = countHeaders(result)
}
