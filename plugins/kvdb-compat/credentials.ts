// Who is asking: the credential is taken from the first carrier present (Authorization header as
// Basic username or Bearer, then ?access_token=, then ?key=) and resolved against the bucket into
// a bucket key role or a verified access token. A credential that is neither is a 401.

import { utf8 } from '../../core/engine/bytes.ts'
import { type Bucket, type KeyRole, roleOf } from './bucket.ts'
import { kvdbError, messages } from './errors.ts'
import type { Query } from './request.ts'
import { readAccessToken, type TokenPermission } from './tokens.ts'

export type Principal =
  | { type: 'anonymous' }
  | { type: 'key'; role: KeyRole }
  | { type: 'token'; prefix: Uint8Array; permissions: ReadonlySet<TokenPermission> }

/** The presented credential, or null when the request carries none. */
export function presentedCredential(request: Request, query: Query): string | null {
  const header = request.headers.get('authorization')?.trim()
  if (header) {
    const space = header.indexOf(' ')
    const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase()
    const value = space === -1 ? '' : header.slice(space + 1).trim()
    if (scheme === 'bearer' && value) return value
    if (scheme === 'basic') {
      const username = basicUsername(value)
      if (username) return username
    } else if (scheme !== 'bearer') {
      throw kvdbError(401, messages.badCredential)
    }
  }
  return query.text('access_token') || query.text('key') || null
}

function basicUsername(encoded: string): string {
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
    )
  } catch {
    throw kvdbError(401, messages.badCredential)
  }
  const colon = decoded.indexOf(':')
  return colon === -1 ? decoded : decoded.slice(0, colon)
}

export function resolvePrincipal(bucket: Bucket, credential: string | null, nowMs: number): Principal {
  if (credential === null) return { type: 'anonymous' }
  const role = roleOf(bucket, credential)
  if (role) return { type: 'key', role }
  const token = readAccessToken(bucket, credential, nowMs)
  if (token) return { type: 'token', prefix: utf8(token.prefix), permissions: new Set(token.permissions) }
  throw kvdbError(401, messages.badCredential)
}
