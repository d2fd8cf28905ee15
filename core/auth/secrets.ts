// Secrets are stored only as hashes and compared in constant time.
// SHA-256 suits operator-issued credentials, which carry 190 bits of randomness; a salt makes the
// hashes of user-chosen keys (KVdb bucket keys) differ from one namespace to the next.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { BASE62, randomString } from '../ids.ts'

export const newSecret = (length = 32): string => randomString(BASE62, length)

export function hashSecret(secret: string, salt = ''): string {
  return createHash('sha256').update(salt).update('\u0000').update(secret).digest('base64url')
}

/** Compares two strings without revealing through timing where they first differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a)
  const right = new TextEncoder().encode(b)
  // Compare equal-length digests so the lengths of the inputs do not leak either.
  const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest()
  return timingSafeEqual(digest(left), digest(right)) && left.length === right.length
}

export function verifySecret(secret: string, hash: string, salt = ''): boolean {
  // Both sides are SHA-256 digests in base64url, whose length is public and fixed: compare them
  // directly in constant time, without hashing them once more (this runs on every request).
  const computed = Buffer.from(hashSecret(secret, salt))
  const stored = Buffer.from(hash)
  return computed.length === stored.length && timingSafeEqual(computed, stored)
}

export function hmacSha256(key: string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest()
}
