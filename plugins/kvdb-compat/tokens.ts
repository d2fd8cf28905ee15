// KVdb access tokens: stateless, signed with the bucket's signing_key (core/auth/signed-token.ts),
// carrying bucket, prefix, permissions and expiry. Valid only for their bucket, before their expiry,
// and while the signing key is unchanged.

import { signToken, verifyToken } from '../../core/auth/signed-token.ts'
import type { Bucket } from './bucket.ts'

export const TOKEN_PERMISSIONS = ['read', 'write', 'enumerate'] as const
export type TokenPermission = (typeof TOKEN_PERMISSIONS)[number]

interface TokenPayload {
  b: string
  p: string
  perm: TokenPermission[]
  exp: number
}

export interface AccessToken {
  prefix: string
  permissions: TokenPermission[]
  expiresAt: number
}

export function mintAccessToken(
  bucket: Bucket,
  signingKey: string,
  grant: { prefix: string; permissions: TokenPermission[]; ttlSeconds: number },
  nowMs: number,
): string {
  const payload: TokenPayload = {
    b: bucket.id,
    p: grant.prefix,
    perm: grant.permissions,
    exp: Math.floor(nowMs / 1000) + grant.ttlSeconds,
  }
  return signToken(payload, signingKey)
}

/** The token's grant, or null when it is not a valid, unexpired token of this bucket. */
export function readAccessToken(bucket: Bucket, token: string, nowMs: number): AccessToken | null {
  const key = bucket.settings.signingKey
  if (!key) return null
  const payload = verifyToken(token, key)
  if (!isPayload(payload) || payload.b !== bucket.id) return null
  if (payload.exp * 1000 <= nowMs) return null
  return { prefix: payload.p, permissions: payload.perm, expiresAt: payload.exp }
}

function isPayload(value: unknown): value is TokenPayload {
  const payload = value as TokenPayload
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof payload.b === 'string' &&
    typeof payload.p === 'string' &&
    typeof payload.exp === 'number' &&
    Array.isArray(payload.perm) &&
    payload.perm.every((perm) => (TOKEN_PERMISSIONS as readonly unknown[]).includes(perm))
  )
}
