// Who is calling: the Bearer API key the operator issued, checked against the accounts, and then the
// account's rate limit when the operator set one. One account is one namespace, named by its id.

import type { Accounts } from '../../core/auth/accounts.ts'
import { authorizationOf, bearerToken } from '../../core/http/credentials.ts'
import type { RateLimiter } from '../../core/rate-limit.ts'
import { RocketStackError } from './errors.ts'
import type { RocketStackOptions } from './options.ts'

const CHALLENGE = { 'www-authenticate': 'Bearer realm="rocketstack"' }

const unauthorized = (message: string) => new RocketStackError(401, 'UNAUTHORIZED', message, CHALLENGE)

/** The namespace of the calling account; throws UNAUTHORIZED, or the core's rate-limit refusal. */
export async function authenticate(
  request: Request,
  auth: Accounts,
  rateLimit: RateLimiter,
  options: RocketStackOptions,
): Promise<string> {
  const token = bearerToken(request)
  if (token === null && authorizationOf(request) === null) {
    throw unauthorized('Missing API key: send Authorization: Bearer <API key>')
  }
  const principal = token === null ? null : await auth.verify(token, 'rocketstack')
  if (!principal) throw unauthorized('Invalid API key')
  // enforce would skip a limit of 0 too, but only after an await every request would pay for.
  if (options.rateLimit > 0) {
    const subject = `rocketstack:${principal.accountId}`
    await rateLimit.enforce(subject, options.rateLimit, options.rateLimitWindowSeconds)
  }
  return principal.accountId
}
