import { expect, test } from 'bun:test'
import { hmacSha256 } from '../../core/auth/secrets.ts'
import { signToken, verifyToken } from '../../core/auth/signed-token.ts'

test('a token carries its payload and verifies under the key that signed it', () => {
  const token = signToken({ b: 'bucket', p: 'user:1:', perm: ['read'], exp: 1 }, 'k1')
  expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  expect(verifyToken(token, 'k1')).toEqual({ b: 'bucket', p: 'user:1:', perm: ['read'], exp: 1 })
})

test('the format is base64url(payload) "." base64url(HMAC-SHA256(key, payload part))', () => {
  const token = signToken({ a: 1 }, 'key')
  const [body, signature] = token.split('.')
  expect(Buffer.from(body!, 'base64url').toString()).toBe('{"a":1}')
  expect(signature).toBe(hmacSha256('key', body!).toString('base64url'))
})

test('another key, a changed payload or a malformed token does not verify', () => {
  const token = signToken({ a: 1 }, 'k1')
  expect(verifyToken(token, 'k2')).toBeNull()
  const [, signature] = token.split('.')
  const forged = `${Buffer.from('{"a":2}').toString('base64url')}.${signature}`
  expect(verifyToken(forged, 'k1')).toBeNull()
  for (const bad of ['', '.', 'abc', 'a.b.c', `${token}.x`, `${token}=`, 'a b.c', `.${signature}`]) {
    expect(verifyToken(bad, 'k1')).toBeNull()
  }
})

test('a signature of the wrong length is refused, not thrown on', () => {
  const [body, signature] = signToken({ a: 1 }, 'k1').split('.')
  for (const short of ['AAAA', signature!.slice(0, -2), `${signature}AAAA`]) {
    expect(verifyToken(`${body}.${short}`, 'k1')).toBeNull()
  }
})

test('a signed body that is not JSON is refused', () => {
  const body = Buffer.from('not json').toString('base64url')
  const token = `${body}.${hmacSha256('k', body).toString('base64url')}`
  expect(verifyToken(token, 'k')).toBeNull()
})
