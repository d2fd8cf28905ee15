// Secret hashes are persisted (accounts' credential records, KVdb bucket keys), so their format is
// pinned by hashes computed outside kvgate; comparisons must refuse, not throw, on odd lengths.

import { expect, test } from 'bun:test'
import { constantTimeEqual, hashSecret, verifySecret } from '../../core/auth/secrets.ts'

// printf 'Xy12\0correct horse' | openssl dgst -sha256 -binary | base64 (in base64url, unpadded);
// the unsalted one is the same over '\0correct horse'.
const SALTED = 'a3vVCei7dXQi4Fj29V2CYc8FTi8Ocqc-gYMMEwFOiLY'
const UNSALTED = 'uOreEeF0PqwnF-R3KMNn04ktikzcpTReC5o2tQcFgFs'

test('a hash is base64url(SHA-256(salt, NUL, secret)), so hashes stored by an earlier version still verify', () => {
  expect(hashSecret('correct horse', 'Xy12')).toBe(SALTED)
  expect(hashSecret('correct horse')).toBe(UNSALTED)
  expect(verifySecret('correct horse', SALTED, 'Xy12')).toBe(true)
  expect(verifySecret('correct horse', UNSALTED)).toBe(true)
  expect(verifySecret('correct horse', SALTED)).toBe(false)
  expect(verifySecret('correct horsf', SALTED, 'Xy12')).toBe(false)
})

test('a stored hash of another length (damaged, or another format) is refused, not thrown on', () => {
  for (const stored of ['', SALTED.slice(0, -1), `${SALTED}=`, 'x']) {
    expect(verifySecret('correct horse', stored, 'Xy12')).toBe(false)
  }
})

test('constantTimeEqual is true only for the same string', () => {
  expect(constantTimeEqual('admin-token', 'admin-token')).toBe(true)
  expect(constantTimeEqual('', '')).toBe(true)
  // Same length, one character apart: the case a length check alone would let through.
  expect(constantTimeEqual('admin-token', 'admin-tokem')).toBe(false)
  expect(constantTimeEqual('admin-token', 'admin-token ')).toBe(false)
  expect(constantTimeEqual('', 'a')).toBe(false)
})
