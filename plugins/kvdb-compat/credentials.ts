// Who is asking: the credential is taken from the first carrier present (Authorization header as
// Basic username or Bearer, then ?access_token=, then ?key=) and resolved against the bucket into
// a bucket key role or a verified access token. A credential that is neither is a 401.

import { utf8 } from '../../core/engine/bytes.ts'
import type { Call } from '../../core/http/call.ts'
import { authorizationOf, basicUserName } from '../../core/http/credentials.ts'
import { type Bucket, type KeyRole, roleOf } from './bucket.ts'
import { kvdbError, messages } from './errors.ts'
import { queryText } from './request.ts'
import { readAccessToken, type TokenPermission } from './tokens.ts'

export type Principal =
  | { type: 'anonymous' }
  | { type: 'key'; role: KeyRole }
  | { type: 'token'; prefix: Uint8Array; permissions: ReadonlySet<TokenPermission> }

/** The presented credential, or null when the request carries none. */
export function presentedCredential(call: Call): string | null {
  const authorization = authorizationOf(call.request)
  if (authorization) {
    const { scheme, value } = authorization
    if (scheme === 'bearer') {
      if (value) return value
    } else if (scheme === 'basic') {
      const username = basicUserName(value)
      if (username === null) throw kvdbError(401, messages.badCredential)
      // An empty username is no credential in the header: the query may still carry one.
      if (username) return username
    } else {
      throw kvdbError(401, messages.badCredential)
    }
  }
  if (call.rawQuery === '') return null
  return queryText(call, 'access_token') || queryText(call, 'key') || null
}

export function resolvePrincipal(bucket: Bucket, credential: string | null, nowMs: number): Principal {
  if (credential === null) return { type: 'anonymous' }
  const role = roleOf(bucket, credential)
  if (role) return { type: 'key', role }
  const token = readAccessToken(bucket, credential, nowMs)
  if (token) return { type: 'token', prefix: utf8(token.prefix), permissions: new Set(token.permissions) }
  throw kvdbError(401, messages.badCredential)
}
