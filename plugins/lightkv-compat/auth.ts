// App tokens: "Authorization: Bearer <token>". A read_token opens the GET endpoints, a
// readwrite_token every endpoint; the app's id is the namespace its data lives in.

import type { AccountKind, Accounts } from '../../core/auth/accounts.ts'
import { bearerToken } from '../../core/http/credentials.ts'
import { LightKvError } from './errors.ts'

export const READ = 'read'
export const READWRITE = 'readwrite'

export type Access = typeof READ | typeof READWRITE

/** The credentials `kvgate admin accounts create --dialect lightkv` hands out, and their roles. */
export const APP_ACCOUNTS: AccountKind = {
  credentials: { read_token: READ, readwrite_token: READWRITE },
  namespacePerAccount: true,
}

/** The app a request acts on, once its token is known to allow the access asked for. */
export async function authorize(accounts: Accounts, request: Request, access: Access): Promise<string> {
  const token = bearerToken(request)
  if (token === null) throw new LightKvError('UNAUTHORIZED', 'Missing bearer token')
  const principal = await accounts.verify(token, 'lightkv')
  if (!principal) throw new LightKvError('UNAUTHORIZED', 'Invalid token')
  if (access === READWRITE && principal.role !== READWRITE) {
    throw new LightKvError('FORBIDDEN', 'This endpoint requires the readwrite_token')
  }
  return principal.accountId
}
