// The official `cloudflare` npm SDK (v7), unmodified, against kvgate on a real port: every KV
// method, its auto-paging iterators over thousands of keys, and bulk operations of 10,000 items.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import Cloudflare, {
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  toFile,
} from 'cloudflare'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type Account, newAccount, openKvgate } from './helpers.ts'

describeEachStore('workers-kv with the cloudflare SDK', (store) => {
  const kvgate = openKvgate(store)
  const server = listenTestKvgate(kvgate)
  const baseURL = `${server.url}/client/v4`
  let account: Account
  let client: Cloudflare
  let account_id: string
  beforeAll(async () => {
    account = await newAccount(kvgate, 'sdk account')
    account_id = account.id
    client = new Cloudflare({ apiToken: account.token, baseURL, maxRetries: 0 })
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  test('namespaces: create, get, rename, list, delete; a duplicate title is a BadRequestError', async () => {
    const created = await client.kv.namespaces.create({ account_id, title: 'sdk namespace' })
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      title: 'sdk namespace',
      supports_url_encoding: true,
    })
    expect(await client.kv.namespaces.get(created.id, { account_id })).toEqual(created)
    const renamed = await client.kv.namespaces.update(created.id, { account_id, title: 'sdk renamed' })
    expect(renamed.title).toBe('sdk renamed')
    const duplicate = await client.kv.namespaces
      .create({ account_id, title: 'sdk renamed' })
      .catch((error) => error)
    expect(duplicate).toBeInstanceOf(BadRequestError)
    expect(duplicate.status).toBe(400)
    expect(duplicate.errors).toEqual([
      { code: 10014, message: 'a namespace with this account ID and title already exists' },
    ])

    const titles: string[] = []
    for await (const ns of client.kv.namespaces.list({ account_id })) titles.push(ns.title)
    expect(titles).toContain('sdk renamed')
    await client.kv.namespaces.delete(created.id, { account_id })
    const gone = await client.kv.namespaces.get(created.id, { account_id }).catch((error) => error)
    expect(gone).toBeInstanceOf(NotFoundError)
    expect(gone.errors[0].code).toBe(10013)
  })

  test('namespaces: the auto-paging iterator walks every page and stops on the empty one', async () => {
    const owner = await newAccount(kvgate)
    const sdk = new Cloudflare({ apiToken: owner.token, baseURL, maxRetries: 0 })
    const made = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        sdk.kv.namespaces.create({ account_id: owner.id, title: `ns-${String(i).padStart(2, '0')}` }),
      ),
    )
    const seen: string[] = []
    for await (const ns of sdk.kv.namespaces.list({
      account_id: owner.id,
      per_page: 10,
      order: 'title',
      direction: 'desc',
    })) {
      seen.push(ns.title)
    }
    expect(seen).toEqual(
      made
        .map((ns) => ns.title)
        .sort()
        .reverse(),
    )
    const page = await sdk.kv.namespaces.list({ account_id: owner.id, per_page: 10, page: 3 })
    expect(page.result.length).toBe(5)
    expect(page.hasNextPage()).toBe(true)
    expect((await page.getNextPage()).result).toEqual([])
  })

  test('values: update (always multipart), get as bytes with its expiration, metadata, delete', async () => {
    const ns = await client.kv.namespaces.create({ account_id, title: 'sdk values' })
    const where = { account_id, namespace_id: ns.id }
    await client.kv.namespaces.values.update('plain key', { ...where, value: 'hello ✓' })
    const plain = await client.kv.namespaces.values.get('plain key', where)
    expect(plain.headers.get('content-type')).toBe('application/octet-stream')
    expect(await plain.text()).toBe('hello ✓')
    expect(await client.kv.namespaces.metadata.get('plain key', where)).toBeNull()

    // Object metadata travels as metadata[owner]=... parts, nested objects and arrays too.
    await client.kv.namespaces.values.update('with/meta?', {
      ...where,
      value: 'v',
      metadata: { owner: 'me', nested: { depth: 2 }, list: ['a', 'b'] },
      expiration_ttl: 300,
    })
    expect(await client.kv.namespaces.metadata.get('with/meta?', where)).toEqual({
      owner: 'me',
      nested: { depth: '2' },
      list: ['a', 'b'],
    })
    const expiring = await client.kv.namespaces.values.get('with/meta?', where)
    const expiration = Number(expiring.headers.get('expiration'))
    expect(Math.abs(expiration - (Math.floor(Date.now() / 1000) + 300))).toBeLessThanOrEqual(2)

    // String metadata is one JSON part.
    await client.kv.namespaces.values.update('string-meta', {
      ...where,
      value: 'v',
      metadata: '{"json":true}',
    })
    expect(await client.kv.namespaces.metadata.get('string-meta', where)).toEqual({ json: true })

    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255])
    await client.kv.namespaces.values.update('binary', { ...where, value: await toFile(bytes, 'value.bin') })
    const binary = await client.kv.namespaces.values.get('binary', where)
    expect(new Uint8Array(await binary.arrayBuffer())).toEqual(bytes)

    const absolute = Math.floor(Date.now() / 1000) + 3600
    await client.kv.namespaces.values.update('absolute', { ...where, value: 'a', expiration: absolute })
    expect((await client.kv.namespaces.values.get('absolute', where)).headers.get('expiration')).toBe(
      String(absolute),
    )

    await client.kv.namespaces.values.delete('plain key', where)
    await client.kv.namespaces.values.delete('plain key', where)
    const missing = await client.kv.namespaces.values.get('plain key', where).catch((error) => error)
    expect(missing).toBeInstanceOf(NotFoundError)
    expect(missing.errors).toEqual([{ code: 10009, message: "get: 'key not found'" }])
    const missingMeta = await client.kv.namespaces.metadata.get('plain key', where).catch((error) => error)
    expect(missingMeta).toBeInstanceOf(NotFoundError)

    const tooShort = await client.kv.namespaces.values
      .update('x', { ...where, value: 'v', expiration_ttl: 30 })
      .catch((error) => error)
    expect(tooShort).toBeInstanceOf(BadRequestError)
    expect(tooShort.errors[0].message).toBe(
      'Invalid expiration_ttl of 30. Expiration TTL must be at least 60.',
    )
    const past = await client.kv.namespaces.values
      .update('x', { ...where, value: 'v', expiration: 1_000_000 })
      .catch((error) => error)
    expect(past).toBeInstanceOf(BadRequestError)
  })

  test('keys: the auto-paging iterator walks 2,500 keys in byte order, with metadata and expiration', async () => {
    const ns = await client.kv.namespaces.create({ account_id, title: 'sdk keys' })
    const names = Array.from({ length: 2500 }, (_, i) => `key-${String(i).padStart(5, '0')}`)
    await client.kv.namespaces.bulkUpdate(ns.id, {
      account_id,
      body: names.map((key, i) =>
        i === 7 ? { key, value: key, metadata: { seven: true }, expiration_ttl: 600 } : { key, value: key },
      ),
    })
    const seen: string[] = []
    let seventh: unknown
    for await (const key of client.kv.namespaces.keys.list(ns.id, { account_id })) {
      seen.push(key.name)
      if (key.name === names[7]) seventh = key
    }
    expect(seen).toEqual(names)
    expect(seventh).toEqual({ name: names[7], metadata: { seven: true }, expiration: expect.any(Number) })

    let pages = 0
    const firstPage = await client.kv.namespaces.keys.list(ns.id, {
      account_id,
      limit: 100,
      prefix: 'key-01',
    })
    for await (const page of firstPage.iterPages()) {
      pages++
      expect(page.result.every((key) => key.name.startsWith('key-01'))).toBe(true)
    }
    expect(pages).toBe(10)
    const first = await client.kv.namespaces.keys.list(ns.id, { account_id, limit: 10 })
    expect(first.result_info).toEqual({ count: 10, cursor: expect.any(String) })
    expect(first.result_info.cursor).not.toBe('')
  })

  test('bulk of 10,000 items: write, get, delete (namespace and deprecated keys.* methods)', async () => {
    const ns = await client.kv.namespaces.create({ account_id, title: 'sdk bulk' })
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      key: `bulk-${i}`,
      value: Buffer.from(`value ${i}`).toString('base64'),
      base64: true,
    }))
    const written = await client.kv.namespaces.bulkUpdate(ns.id, { account_id, body: items })
    expect(written).toEqual({ successful_key_count: 10_000, unsuccessful_keys: [] })
    const count = (await client.kv.namespaces.keys.list(ns.id, { account_id })).result_info
    expect(count.count).toBe(1000)

    const got = await client.kv.namespaces.bulkGet(ns.id, {
      account_id,
      keys: ['bulk-0', 'bulk-9999', 'nope'],
    })
    expect(got as unknown).toEqual({ values: { 'bulk-0': 'value 0', 'bulk-9999': 'value 9999', nope: null } })
    const withMeta = await client.kv.namespaces.bulkGet(ns.id, {
      account_id,
      keys: ['bulk-1'],
      withMetadata: true,
    })
    expect(withMeta).toEqual({ values: { 'bulk-1': { value: 'value 1', metadata: null } } })
    await client.kv.namespaces.values.update('json', { account_id, namespace_id: ns.id, value: '{"a":1}' })
    expect(await client.kv.namespaces.bulkGet(ns.id, { account_id, keys: ['json'], type: 'json' })).toEqual({
      values: { json: { a: 1 } },
    })
    expect(await client.kv.namespaces.keys.bulkGet(ns.id, { account_id, keys: ['bulk-2'] })).toEqual({
      values: { 'bulk-2': 'value 2' },
    })

    const deleted = await client.kv.namespaces.bulkDelete(ns.id, {
      account_id,
      body: items.map((item) => item.key),
    })
    expect(deleted).toEqual({ successful_key_count: 10_000, unsuccessful_keys: [] })
    const remaining: string[] = []
    for await (const key of client.kv.namespaces.keys.list(ns.id, { account_id })) remaining.push(key.name)
    expect(remaining).toEqual(['json'])

    await client.kv.namespaces.keys.bulkUpdate(ns.id, { account_id, body: [{ key: 'old-api', value: 'v' }] })
    await client.kv.namespaces.keys.bulkDelete(ns.id, { account_id, body: ['json'] })
    const left: string[] = []
    for await (const key of client.kv.namespaces.keys.list(ns.id, { account_id })) left.push(key.name)
    expect(left).toEqual(['old-api'])

    const tooMany = await client.kv.namespaces
      .bulkUpdate(ns.id, { account_id, body: [...items, { key: 'one more', value: 'x' }] })
      .catch((error) => error)
    expect(tooMany.status).toBe(413)
  })

  test('credentials: email + key, tokens/verify, accounts and memberships; wrong or foreign tokens fail', async () => {
    const byKey = new Cloudflare({
      apiEmail: 'ops@example.com',
      apiKey: account.token,
      baseURL,
      maxRetries: 0,
    })
    const ns = await byKey.kv.namespaces.create({ account_id, title: 'sdk by key' })
    expect(ns.title).toBe('sdk by key')

    const verified = await client.user.tokens.verify()
    expect(verified).toEqual({ id: expect.any(String), status: 'active' })
    const accounts = []
    for await (const each of client.accounts.list()) accounts.push(each)
    expect(accounts).toEqual([{ id: account_id, name: 'sdk account', type: 'standard' }])
    const memberships: unknown[] = []
    for await (const each of client.memberships.list()) memberships.push(each)
    expect(memberships).toEqual([
      { id: expect.any(String), status: 'accepted', account: { id: account_id, name: 'sdk account' } },
    ])

    const wrong = new Cloudflare({ apiToken: 'not-a-token', baseURL, maxRetries: 0 })
    const unauthenticated = await wrong.kv.namespaces.get(ns.id, { account_id }).catch((error) => error)
    expect(unauthenticated).toBeInstanceOf(AuthenticationError)
    expect(unauthenticated.errors).toEqual([{ code: 10000, message: 'Authentication error' }])
    const invalidToken = await wrong.user.tokens.verify().catch((error) => error)
    expect(invalidToken).toBeInstanceOf(AuthenticationError)
    expect(invalidToken.errors[0]).toEqual({ code: 1000, message: 'Invalid API Token' })

    const stranger = await newAccount(kvgate)
    const foreign = new Cloudflare({ apiToken: stranger.token, baseURL, maxRetries: 0 })
    const denied = await foreign.kv.namespaces.get(ns.id, { account_id }).catch((error) => error)
    expect(denied).toBeInstanceOf(PermissionDeniedError)
    const hidden = await foreign.kv.namespaces.get(ns.id, { account_id: stranger.id }).catch((error) => error)
    expect(hidden).toBeInstanceOf(NotFoundError)
  })
})
