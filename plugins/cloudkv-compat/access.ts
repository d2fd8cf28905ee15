// Who is calling (the `api-key` header) and what a bucket's mode lets them do.

import type { Accounts } from '../../core/auth/accounts.ts'
import { HttpError } from '../../core/http/errors.ts'
import type { Bucket } from './bucket.ts'

/**
 * The account of the request's api-key, or null when it carries none. An unknown key is a 401
 * even where no key is needed: a client with a wrong key should learn it at once.
 */
export async function callerOf(auth: Accounts, request: Request): Promise<string | null> {
  const key = request.headers.get('api-key')?.trim()
  if (!key) return null
  const principal = await auth.verify(key, 'cloudkv')
  if (!principal) throw new HttpError(401, 'invalid api-key')
  return principal.accountId
}

/** Bucket management always needs an account. */
export async function accountOf(auth: Accounts, request: Request): Promise<string> {
  const caller = await callerOf(auth, request)
  if (caller === null) throw new HttpError(401, 'api-key required')
  return caller
}

export function requireOwner(bucket: Bucket, caller: string | null): void {
  if (caller === null) throw new HttpError(401, 'api-key required')
  if (caller !== bucket.owner) throw new HttpError(403, 'bucket belongs to another account')
}

/** Reads need a key only on protected buckets; writes and deletes on every mode but public. */
export function authorizeKeyAccess(bucket: Bucket, caller: string | null, operation: 'read' | 'write'): void {
  const needsKey = bucket.mode === 'protected' || (bucket.mode === 'public-read' && operation === 'write')
  if (needsKey) requireOwner(bucket, caller)
}
