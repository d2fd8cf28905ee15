// Who is calling: the Bearer API key the operator issued, checked against the accounts, and then the
// account's rate limit when the operator set one. One account is one namespace, named by its id.

import type { Accounts } from '../../core/auth/accounts.ts'
import type { RateLimiter } from '../../core/rate-limit.ts'
import { RocketStackError } from './errors.ts'
import type { RocketStackOptions } from './options.ts'

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i

const unauthorized = (message: string) =>
  new RocketStackError(401, 'UNAUTHORIZED', message, { 'www-authenticate': 'Bearer realm="rocketstack"' })

/** The namespace of the calling account; throws UNAUTHORIZED or RATE_LIMITED. */
export async function authenticate(
  request: Request,
  auth: Accounts,
  rateLimit: RateLimiter,
  options: RocketStackOptions,
): Promise<string> {
  const header = request.headers.get('authorization')
  if (!header) throw unauthorized('Missing API key: send Authorization: Bearer <API key>')
  const token = BEARER.exec(header)?.[1]
  const principal = token ? await auth.verify(token, 'rocketstack') : null
  if (!principal) throw unauthorized('Invalid API key')
  if (options.rateLimit > 0) {
    const hit = await rateLimit.hit(
      `rocketstack:${principal.accountId}`,
      options.rateLimit,
      options.rateLimitWindowSeconds,
    )
    if (!hit.allowed) {
      throw new RocketStackError(429, 'RATE_LIMITED', 'Rate limit exceeded', {
        'retry-after': String(hit.retryAfter),
      })
    }
  }
  return principal.accountId
}
