// Workers KV over HTTP: bulk write, bulk delete (POST /bulk/delete and DELETE /bulk) and bulk get.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import {
  type Account,
  createNamespace,
  expectError,
  expectOk,
  MOUNTS,
  newAccount,
  openKvgate,
} from './helpers.ts'

describeEachStoreAndMount('workers-kv bulk', MOUNTS, (store, mount) => {
  const clock = new ManualClock()
  const kv = openKvgate(store, {}, clock, mount)
  let account: Account
  let base: string
  beforeAll(async () => {
    account = await newAccount(kv)
    base = `${account.ns}/${await createNamespace(kv, account, 'bulk')}`
  })
  afterAll(() => kv.close())
  const nowSeconds = () => Math.floor(clock.now() / 1000)
  const send = (method: string, path: string, body: unknown) =>
    kv.fetch(`${base}${path}`, {
      method,
      headers: { ...account.auth, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const bulkGet = (body: unknown) => send('POST', '/bulk/get', body)
  const read = async (key: string) => {
    const response = await kv.fetch(`${base}/values/${encodeURIComponent(key)}`, { headers: account.auth })
    return response.status === 200 ? new Uint8Array(await response.arrayBuffer()) : null
  }

  test('bulk write: text and base64 values, expiry and metadata per item', async () => {
    const written = await expectOk(
      await send('PUT', '/bulk', [
        { key: 'text', value: 'plain ✓' },
        { key: 'bin', value: Buffer.from([0, 255, 1]).toString('base64'), base64: true },
        { key: 'ttl', value: 't', expiration_ttl: 120, metadata: { tag: 'a' } },
        { key: 'abs', value: 'a', expiration: nowSeconds() + 600 },
        {
          key: 'json',
          value: '{"n":1}',
          metadata: 'string metadata',
          expiration: null,
          expiration_ttl: null,
        },
      ]),
    )
    expect(written.result).toEqual({ successful_key_count: 5, unsuccessful_keys: [] })
    expect(await read('text')).toEqual(new TextEncoder().encode('plain ✓'))
    expect(await read('bin')).toEqual(new Uint8Array([0, 255, 1]))
    const ttl = await kv.fetch(`${base}/values/ttl`, { headers: account.auth })
    expect(ttl.headers.get('expiration')).toBe(String(nowSeconds() + 120))
    const keys = await expectOk(await kv.fetch(`${base}/keys?prefix=`, { headers: account.auth }))
    expect(keys.result).toEqual([
      { name: 'abs', expiration: nowSeconds() + 600 },
      { name: 'bin' },
      { name: 'json', metadata: 'string metadata' },
      { name: 'text' },
      { name: 'ttl', expiration: nowSeconds() + 120, metadata: { tag: 'a' } },
    ])
  })

  test('bulk write is all or nothing: one bad item writes none', async () => {
    const bad: Array<[unknown, number, string | RegExp]> = [
      [{ key: 'b', value: '!!!', base64: true }, 400, /base64/],
      [
        { key: 'b', value: 'x', expiration_ttl: 10 },
        400,
        'Invalid expiration_ttl of 10. Expiration TTL must be at least 60.',
      ],
      [{ key: 'b', value: 'x', expiration: nowSeconds() - 1 }, 400, /at least 60 seconds in the future/],
      [
        { key: 'b', value: 'x', metadata: { pad: 'x'.repeat(1100) } },
        413,
        /^Metadata length of \d+ exceeds limit of 1024\.$/,
      ],
      [{ key: '', value: 'x' }, 400, 'Key names must not be empty'],
      [{ key: '..', value: 'x' }, 400, 'Illegal key name "..". Please use a different name.'],
      [
        { key: 'k'.repeat(513), value: 'x' },
        400,
        'UTF-8 encoded length of 513 exceeds key length limit of 512.',
      ],
      [{ key: 'b' }, 400, /value/],
      [{ value: 'x' }, 400, /key/],
      [{ key: 'b', value: 5 }, 400, /value/],
      [{ key: 7, value: 'x' }, 400, /key/],
      [{ key: 'b', value: 'x', base64: 'yes' }, 400, /base64/],
      ['not an object', 400, /object/],
    ]
    for (const [item, status, message] of bad) {
      await expectError(
        await send('PUT', '/bulk', [{ key: 'first-ok', value: 'x' }, item]),
        status,
        10001,
        message,
      )
    }
    expect(await read('first-ok')).toBeNull()
  })

  test('bulk write: bad bodies, and over 10,000 items or 100 MB', async () => {
    await expectError(await send('PUT', '/bulk', 'not json'), 400, 10001)
    await expectError(await send('PUT', '/bulk', ''), 400, 10001)
    await expectError(await send('PUT', '/bulk', { key: 'a', value: 'b' }), 400, 10001)
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ key: `k${i}`, value: 'v' }))
    await expectError(
      await send('PUT', '/bulk', tooMany),
      413,
      10001,
      'A bulk request of 10001 keys exceeds the limit of 10000.',
    )
    expect(await read('k0')).toBeNull()
    const oversized = await kv.fetch(`${base}/bulk`, {
      method: 'PUT',
      headers: { ...account.auth, 'content-length': String(100_000_001) },
      body: '[]',
    })
    await expectError(oversized, 413, 10001)
    expect((await expectOk(await send('PUT', '/bulk', []))).result).toEqual({
      successful_key_count: 0,
      unsuccessful_keys: [],
    })
  })

  test('bulk delete: POST /bulk/delete and DELETE /bulk count every key, present or not', async () => {
    await expectOk(
      await send(
        'PUT',
        '/bulk',
        ['d1', 'd2', 'd3', 'd4'].map((key) => ({ key, value: key })),
      ),
    )
    const posted = await expectOk(await send('POST', '/bulk/delete', ['d1', 'd2', 'never']))
    expect(posted.result).toEqual({ successful_key_count: 3, unsuccessful_keys: [] })
    const deleted = await expectOk(await send('DELETE', '/bulk', ['d3', 'd4']))
    expect(deleted.result).toEqual({ successful_key_count: 2, unsuccessful_keys: [] })
    for (const key of ['d1', 'd2', 'd3', 'd4']) expect(await read(key)).toBeNull()
  })

  test('bulk delete: bad bodies and over the limit', async () => {
    for (const method of ['POST', 'DELETE']) {
      const path = method === 'POST' ? '/bulk/delete' : '/bulk'
      await expectError(await send(method, path, 'nope'), 400, 10001)
      await expectError(await send(method, path, ''), 400, 10001)
      await expectError(await send(method, path, { keys: ['a'] }), 400, 10001)
      await expectError(await send(method, path, ['a', 5]), 400, 10001)
      await expectError(await send(method, path, ['ok', '']), 400, 10001, 'Key names must not be empty')
      await expectError(await send(method, path, ['k'.repeat(513)]), 400, 10001)
      await expectError(
        await send(
          method,
          path,
          Array.from({ length: 10_001 }, (_, i) => `k${i}`),
        ),
        413,
        10001,
      )
    }
  })

  test('bulk get: text (the default), json, withMetadata; missing keys are null, repeats appear once', async () => {
    await expectOk(
      await send('PUT', '/bulk', [
        { key: 'g-text', value: 'hello' },
        { key: 'g-json', value: '{"a":[1,2]}', metadata: { m: 1 }, expiration_ttl: 300 },
        { key: 'g-bad-utf8', value: Buffer.from([0x61, 0xff]).toString('base64'), base64: true },
      ]),
    )
    const text = await expectOk(
      await bulkGet({ keys: ['g-text', 'g-json', 'g-missing', 'g-text', 'g-bad-utf8'] }),
    )
    expect(text.result).toEqual({
      values: { 'g-text': 'hello', 'g-json': '{"a":[1,2]}', 'g-missing': null, 'g-bad-utf8': 'a\uFFFD' },
    })
    expect(Object.keys(text.result.values)).toEqual(['g-text', 'g-json', 'g-missing', 'g-bad-utf8'])
    const json = await expectOk(await bulkGet({ keys: ['g-json', 'g-missing'], type: 'json' }))
    expect(json.result).toEqual({ values: { 'g-json': { a: [1, 2] }, 'g-missing': null } })
    const meta = await expectOk(
      await bulkGet({ keys: ['g-json', 'g-text', 'g-missing'], withMetadata: true }),
    )
    expect(meta.result).toEqual({
      values: {
        'g-json': { value: '{"a":[1,2]}', metadata: { m: 1 }, expiration: nowSeconds() + 300 },
        'g-text': { value: 'hello', metadata: null },
        'g-missing': null,
      },
    })
    const both = await expectOk(await bulkGet({ keys: ['g-json'], type: 'json', withMetadata: true }))
    expect(both.result.values['g-json'].value).toEqual({ a: [1, 2] })
  })

  test('bulk get: bad input', async () => {
    const cases: Array<[unknown, number, string | RegExp]> = [
      [
        { keys: Array.from({ length: 101 }, (_, i) => `k${i}`) },
        400,
        'You can request a maximum of 100 keys',
      ],
      [{ keys: [] }, 400, 'You must request a minimum of 1 key'],
      [{ keys: ['a'], type: 'x' }, 400, '"x" is not a valid type. Use "json" or "text"'],
      [{ keys: ['a'], type: 'arrayBuffer' }, 400, '"arrayBuffer" is not a valid type. Use "json" or "text"'],
      [
        { keys: ['g-text'], type: 'json' },
        400,
        'At least one of the requested keys corresponds to a non-json value',
      ],
      [{ keys: 'a' }, 400, /keys/],
      [{ keys: [1] }, 400, /key/],
      [{}, 400, /keys/],
      [['a'], 400, /keys/],
      [{ keys: ['a'], withMetadata: 'yes' }, 400, /withMetadata/],
      [{ keys: [''] }, 400, 'Key names must not be empty'],
      ['{broken', 400, /JSON/],
      ['', 400, /body/],
    ]
    for (const [body, status, message] of cases)
      await expectError(await bulkGet(body), status, 10001, message)
    await expectOk(await bulkGet({ keys: Array.from({ length: 100 }, (_, i) => `k${i}`) }))
  })

  test('bulk get: more than 25 MiB of values in total is 413', async () => {
    const small = openKvgate(store, { KVGATE_WORKERS_KV_MAX_VALUE_BYTES: '1024' }, undefined, mount)
    try {
      const owner = await newAccount(small)
      const path = `${owner.ns}/${await createNamespace(small, owner, 'sizes')}`
      const items = ['s1', 's2'].map((key) => ({ key, value: 'x'.repeat(600) }))
      await expectOk(
        await small.fetch(`${path}/bulk`, {
          method: 'PUT',
          headers: owner.auth,
          body: JSON.stringify(items),
        }),
      )
      const post = (keys: string[]) =>
        small.fetch(`${path}/bulk/get`, {
          method: 'POST',
          headers: owner.auth,
          body: JSON.stringify({ keys }),
        })
      await expectOk(await post(['s1']))
      await expectError(await post(['s1', 's2']), 413, 10001)
    } finally {
      await small.close()
    }
  })
})
