// Who is calling: an operator-issued API token, sent as "Authorization: Bearer <token>" or as
// X-Auth-Key with any X-Auth-Email address (the global-key style), bound to one account.

import type { Accounts, Principal } from '../../core/auth/accounts.ts'
import { authorizationOf } from '../../core/http/credentials.ts'
import { authenticationError, CfError } from './errors.ts'

export const DIALECT = 'workers-kv'

/** The credential a request carries, or null when it carries none. A broken X-Auth pair is a 400. */
export function credentialOf(request: Request): string | null {
  const authorization = authorizationOf(request)
  if (authorization?.scheme === 'bearer') return authorization.value
  const email = request.headers.get('x-auth-email')
  const key = request.headers.get('x-auth-key')
  if (email === null && key === null) return authorization === null ? null : ''
  if (email === null || !email.includes('@')) throw brokenPair(6102, 'X-Auth-Email')
  if (key === null || key.trim() === '') throw brokenPair(6103, 'X-Auth-Key')
  return key.trim()
}

const brokenPair = (code: number, header: string) =>
  new CfError(400, 6003, 'Invalid request headers', [
    { code, message: `Invalid format for ${header} header` },
  ])

/** The caller's principal, or 401 10000. */
export async function authenticate(accounts: Accounts, request: Request): Promise<Principal> {
  const credential = credentialOf(request)
  const principal = credential ? await accounts.verify(credential, DIALECT) : null
  if (!principal) throw authenticationError(401)
  return principal
}
