// Stateless signed tokens: base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload part)).
// Nothing is stored: a token is valid while its signature checks out under the current key, so
// changing the key invalidates every token signed with the old one at once.

import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { hmacSha256 } from './secrets.ts'

const BASE64URL = /^[A-Za-z0-9_-]+$/

export function signToken(payload: object, key: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${hmacSha256(key, body).toString('base64url')}`
}

/**
 * The payload of a token signed with key, or null when the token is malformed or its signature
 * does not match. The caller judges the payload's own fields (audience, expiry).
 */
export function verifyToken(token: string, key: string): unknown | null {
  const dot = token.indexOf('.')
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null
  const body = token.slice(0, dot)
  const signature = token.slice(dot + 1)
  if (!BASE64URL.test(body) || !BASE64URL.test(signature)) return null
  const expected = hmacSha256(key, body)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    return null
  }
}
