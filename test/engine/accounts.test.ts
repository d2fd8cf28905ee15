// Operator accounts over the engine: credentials verified once per record version, yet a rotation or
// a deletion counts at once, in this process and in another one on the same store.

import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AccountKind, Accounts } from '../../core/auth/accounts.ts'
import { Engine } from '../../core/engine/engine.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'

const kinds = new Map<string, AccountKind>([
  [
    'lightkv',
    { credentials: { read_token: 'read', readwrite_token: 'readwrite' }, namespacePerAccount: true },
  ],
  ['cloudkv', { credentials: { api_key: 'owner' } }],
])
const path = join(mkdtempSync(join(tmpdir(), 'kvgate-accounts-')), 'kv.db')
const engine = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
const other = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
const accounts = new Accounts(engine, kinds)
const elsewhere = new Accounts(other, kinds)
const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

afterAll(async () => {
  await engine.close()
  await other.close()
})

test('a token verifies to one frozen principal per record version, only for its dialect', async () => {
  const issued = await accounts.create('lightkv', 'shop')
  const token = issued.credentials.readwrite_token!
  const first = await accounts.verify(token, 'lightkv')
  expect(first).toMatchObject({ accountId: issued.account_id, dialect: 'lightkv', role: 'readwrite' })
  expect(await accounts.verify(token, 'lightkv')).toBe(first)
  expect(Object.isFrozen(first)).toBe(true)
  expect(await accounts.verify(token, 'cloudkv')).toBeNull()
  const wrongSecret = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`
  expect(await accounts.verify(wrongSecret, 'lightkv')).toBeNull()
  expect(await accounts.verify('kvg_short', 'lightkv')).toBeNull()
})

test('a rotation or deletion in another process stops the old token at once', async () => {
  const issued = await accounts.create('cloudkv')
  const token = issued.credentials.api_key!
  expect(await accounts.verify(token, 'cloudkv')).not.toBeNull()
  const rotated = await elsewhere.rotate(issued.account_id)
  await nextTurn()
  expect(await accounts.verify(token, 'cloudkv')).toBeNull()
  expect(await accounts.verify(rotated.credentials.api_key!, 'cloudkv')).not.toBeNull()
  await elsewhere.delete(issued.account_id)
  await nextTurn()
  expect(await accounts.verify(rotated.credentials.api_key!, 'cloudkv')).toBeNull()
})

test('errors name their reason', async () => {
  const missing = await accounts.rotate('0'.repeat(32)).catch((error) => error)
  expect(missing).toMatchObject({ code: 'not_found', reason: 'account', message: 'account not found' })
  expect(await accounts.create('nosuch').catch((error) => error)).toMatchObject({ reason: 'dialect' })
  const { account_id } = await accounts.create('lightkv')
  expect(await accounts.rotate(account_id, 'owner').catch((error) => error)).toMatchObject({ reason: 'role' })
})
