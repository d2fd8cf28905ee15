// Operator-issued accounts through their public class, on an in-memory store: what each credential
// grants, and that rotation and deletion take effect at once, including for a token already seen.

import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { ACCOUNTS_NAMESPACE, type AccountKind, Accounts } from '../../core/auth/accounts.ts'
import { hashSecret } from '../../core/auth/secrets.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { ManualClock } from '../support/manual-clock.ts'

const KINDS = new Map<string, AccountKind>([
  ['apps', { credentials: { read_token: 'read', readwrite_token: 'readwrite' }, namespacePerAccount: true }],
  ['keys', { credentials: { api_key: 'owner' } }],
])

const TOKEN = /^kvg_[0-9A-Za-z]{44}$/

describe('accounts', () => {
  const engines: Engine[] = []
  let clock: ManualClock
  let engine: Engine
  let accounts: Accounts

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 0, 1))
    engine = new Engine(openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' }), {
      clock,
      sweepIntervalMs: 0,
    })
    engines.push(engine)
    accounts = new Accounts(engine, KINDS)
  })
  afterAll(async () => {
    for (const each of engines) await each.close()
  })

  test('create issues one credential per field, each verifying to its role and only in its dialect', async () => {
    const app = await accounts.create('apps', 'shop')
    expect(app.account_id).toMatch(/^[0-9a-f]{32}$/)
    expect(app.dialect).toBe('apps')
    expect(Object.keys(app.credentials).sort()).toEqual(['read_token', 'readwrite_token'])
    const { read_token: read, readwrite_token: readwrite } = app.credentials
    expect(read).toMatch(TOKEN)
    expect(readwrite).toMatch(TOKEN)
    expect(read).not.toBe(readwrite)
    expect(await accounts.verify(read!, 'apps')).toEqual({
      accountId: app.account_id,
      dialect: 'apps',
      role: 'read',
      credentialId: read!.slice(4, 16),
    })
    expect((await accounts.verify(readwrite!, 'apps'))?.role).toBe('readwrite')
    // Seen once and remembered, a token is still refused in another dialect.
    expect(await accounts.verify(read!, 'keys')).toBeNull()
    expect(await accounts.verify(read!, 'keys')).toBeNull()
    const fresh = (await accounts.create('keys')).credentials.api_key!
    expect(await accounts.verify(fresh, 'apps')).toBeNull()
    expect((await accounts.verify(fresh, 'keys'))?.role).toBe('owner')
  })

  test('an account of a dialect with one namespace per account owns a namespace of its id and name', async () => {
    const app = await accounts.create('apps', 'shop')
    expect(await engine.namespaces.get(app.account_id)).toMatchObject({
      id: app.account_id,
      dialect: 'apps',
      owner: app.account_id,
      title: 'shop',
    })
    const keys = await accounts.create('keys', 'no namespace')
    expect(await engine.namespaces.get(keys.account_id)).toBeNull()
  })

  test('an unknown dialect is invalid and names the known ones', async () => {
    await expect(accounts.create('nope')).rejects.toMatchObject({
      code: 'invalid',
      message: '"dialect" must be one of: apps, keys',
    })
    expect(accounts.dialects).toEqual(['apps', 'keys'])
  })

  test('list and get show accounts oldest first, without secrets', async () => {
    const second = await accounts.create('keys', 'b')
    clock.advance(-1000)
    const first = await accounts.create('apps')
    const createdAt = (ms: number) => new Date(ms).toISOString()
    expect(await accounts.list()).toEqual([
      { account_id: first.account_id, dialect: 'apps', name: null, created_at: createdAt(clock.now()) },
      {
        account_id: second.account_id,
        dialect: 'keys',
        name: 'b',
        created_at: createdAt(clock.now() + 1000),
      },
    ])
    expect(await accounts.get(second.account_id)).toEqual({
      account_id: second.account_id,
      dialect: 'keys',
      name: 'b',
      created_at: createdAt(clock.now() + 1000),
    })
    expect(await accounts.get('0'.repeat(32))).toBeNull()
    expect(await accounts.get('not-an-id')).toBeNull()
  })

  test('list orders by creation time, whatever order the ids fall in', async () => {
    // Made newest first: with random ids, the store's id order matches neither order.
    const made = []
    for (let i = 0; i < 6; i++) {
      made.push((await accounts.create('keys')).account_id)
      clock.advance(-1000)
    }
    expect((await accounts.list()).map((account) => account.account_id)).toEqual(made.reverse())
  })

  test('accounts are records in the _accounts namespace, which kvgate versions sharing one store read', async () => {
    const { account_id, credentials } = await accounts.create('keys', 'shop')
    const token = credentials.api_key!
    const account = await engine.get(ACCOUNTS_NAMESPACE, utf8(`account\u0000${account_id}`))
    const credentialId = token.slice(4, 16)
    expect(JSON.parse(fromUtf8(account!.value))).toEqual({
      dialect: 'keys',
      name: 'shop',
      createdAt: clock.now(),
      credentials: { api_key: credentialId },
    })
    const credential = await engine.get(ACCOUNTS_NAMESPACE, utf8(`credential\u0000${credentialId}`))
    expect(JSON.parse(fromUtf8(credential!.value))).toEqual({
      accountId: account_id,
      dialect: 'keys',
      role: 'owner',
      hash: hashSecret(token.slice(16), credentialId),
    })
    expect(ACCOUNTS_NAMESPACE).toBe('_accounts')
  })

  test('accounts created at the same time are listed by id', async () => {
    const made = [await accounts.create('keys'), await accounts.create('keys'), await accounts.create('keys')]
    expect((await accounts.list()).map((account) => account.account_id)).toEqual(
      made.map((account) => account.account_id).sort(),
    )
  })

  test('list pages through more than one scan page', async () => {
    for (let i = 0; i < 1005; i++) await accounts.create('keys')
    expect((await accounts.list()).length).toBe(1005)
  }, 30_000)

  test('rotate replaces the credentials of one role, and the old ones stop at once', async () => {
    const app = await accounts.create('apps')
    const { read_token: read, readwrite_token: readwrite } = app.credentials
    expect(await accounts.verify(read!, 'apps')).not.toBeNull()
    const rotated = await accounts.rotate(app.account_id, 'read')
    expect(Object.keys(rotated.credentials)).toEqual(['read_token'])
    expect(rotated).toMatchObject({ account_id: app.account_id, dialect: 'apps' })
    expect(await accounts.verify(read!, 'apps')).toBeNull()
    expect((await accounts.verify(rotated.credentials.read_token!, 'apps'))?.role).toBe('read')
    expect((await accounts.verify(readwrite!, 'apps'))?.role).toBe('readwrite')

    for (const which of ['both', undefined]) {
      const before = await accounts.rotate(app.account_id, 'readwrite')
      const all = await accounts.rotate(app.account_id, which)
      expect(Object.keys(all.credentials).sort()).toEqual(['read_token', 'readwrite_token'])
      expect(await accounts.verify(before.credentials.readwrite_token!, 'apps')).toBeNull()
      for (const token of Object.values(all.credentials))
        expect(await accounts.verify(token, 'apps')).not.toBeNull()
    }
  })

  test('rotate: an unknown role is invalid and names the roles; an unknown account is not found', async () => {
    const app = await accounts.create('apps')
    await expect(accounts.rotate(app.account_id, 'owner')).rejects.toMatchObject({
      code: 'invalid',
      message: '"which" must be one of: read, readwrite, both',
    })
    await expect(accounts.rotate('f'.repeat(32))).rejects.toMatchObject({ code: 'not_found' })
  })

  test('concurrent rotations each take effect, and only the last credentials work', async () => {
    const { account_id } = await accounts.create('keys')
    const results = await Promise.all(Array.from({ length: 5 }, () => accounts.rotate(account_id)))
    const working = []
    for (const { credentials } of results) {
      if (await accounts.verify(credentials.api_key!, 'keys')) working.push(credentials.api_key)
    }
    expect(working.length).toBe(1)
  })

  test('two rotations of different roles racing each other both take effect', async () => {
    const app = await accounts.create('apps')
    // Both read the same record version; the one that writes second conflicts and rotates again.
    const [read, readwrite] = await Promise.all([
      accounts.rotate(app.account_id, 'read'),
      accounts.rotate(app.account_id, 'readwrite'),
    ])
    expect((await accounts.verify(read.credentials.read_token!, 'apps'))?.role).toBe('read')
    expect((await accounts.verify(readwrite.credentials.readwrite_token!, 'apps'))?.role).toBe('readwrite')
    for (const old of Object.values(app.credentials)) expect(await accounts.verify(old, 'apps')).toBeNull()
  })

  test('a rotation the store refuses for another reason than a race fails, without retrying', async () => {
    // Three operations fit (create: the account and two credentials); rotating both roles needs five.
    const small = new Engine(openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' }), {
      clock,
      sweepIntervalMs: 0,
      limits: { maxBatchOps: 3 },
    })
    engines.push(small)
    const limited = new Accounts(small, KINDS)
    const app = await limited.create('apps')
    await expect(limited.rotate(app.account_id, 'both')).rejects.toMatchObject({ code: 'too_large' })
    expect((await limited.verify(app.credentials.read_token!, 'apps'))?.role).toBe('read')
  })

  test('delete removes the account, its credentials and its namespaces', async () => {
    const app = await accounts.create('apps', 'gone')
    const other = await accounts.create('apps', 'stays')
    const token = app.credentials.readwrite_token!
    expect(await accounts.verify(token, 'apps')).not.toBeNull()
    expect(await accounts.delete(app.account_id)).toBe(true)
    expect(await accounts.verify(token, 'apps')).toBeNull()
    expect(await accounts.get(app.account_id)).toBeNull()
    expect(await engine.namespaces.get(app.account_id)).toBeNull()
    expect(await accounts.delete(app.account_id)).toBe(false)
    expect(await engine.namespaces.get(other.account_id)).not.toBeNull()
    expect((await accounts.list()).map((account) => account.account_id)).toEqual([other.account_id])
  })

  test('verify refuses anything but a whole, exact credential', async () => {
    const token = (await accounts.create('keys')).credentials.api_key!
    const secret = token.slice(16)
    const flipped = secret[0] === 'a' ? 'b' : 'a'
    for (const bad of [
      '',
      token.slice(0, -1),
      `${token}x`,
      `kvh_${token.slice(4)}`,
      `${token.slice(0, 15)}-${secret}`,
      `${token.slice(0, 16)}${flipped}${secret.slice(1)}`,
      `kvg_${'A'.repeat(12)}${secret}`,
    ]) {
      expect([bad, await accounts.verify(bad, 'keys')]).toEqual([bad, null])
    }
    expect(await accounts.verify(token, 'keys')).not.toBeNull()
  })
})
