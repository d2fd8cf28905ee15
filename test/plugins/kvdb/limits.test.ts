// The per-IP rate limit, CORS, configurable limits and value kinds; and where KVGATE_ROUTES mounts KVdb.

import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeEachStoreAndMount, type TestMount } from '../../support/mounts.ts'
import { describeEachStore, type TestStore } from '../../support/stores.ts'
import { answer, DEFAULT_MOUNT, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

/** A peer address of its own, so counts never meet those of other runs on a shared store. */
const uniquePeer = () => `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

/** Test kvgates on one store and mount, closed together after the block's tests. */
function harnesses(store: TestStore, mount: TestMount) {
  const open: KvdbHarness[] = []
  afterAll(async () => {
    // Together: each close may wait up to 2 s for its Redis prefix, and a dozen in a row outlast the hook timeout.
    await Promise.all(open.map((each) => each.kv.close()))
  })
  return (env: Record<string, string> = {}) => {
    const made = kvdbHarness(store, mount, env)
    open.push(made)
    return made
  }
}

describeEachStoreAndMount('kvdb rate limit and limits', KVDB_MOUNTS, (store, mount) => {
  const harness = harnesses(store, mount)
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-kvdb-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('every response carries X-Ratelimit-*; over the limit is 429 with Retry-After; per IP; windows reset', async () => {
    const h = harness({ KVGATE_KVDB_RATE_LIMIT: '3', KVGATE_KVDB_RATE_LIMIT_WINDOW: '60' })
    const peer = uniquePeer()
    const id = await h.createBucket()
    const first = await h.curl(`/${id}/k`, { peer })
    expect(first.status).toBe(404)
    expect(first.headers.get('x-ratelimit-limit')).toBe('3')
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2')
    const reset = Number(first.headers.get('x-ratelimit-reset'))
    expect(reset * 1000).toBeGreaterThan(h.clock.now())
    expect(reset * 1000).toBeLessThanOrEqual(h.clock.now() + 60_000)
    expect((await h.curl(`/${id}/k`, { peer, data: ['v'] })).headers.get('x-ratelimit-remaining')).toBe('1')
    expect((await h.curl(`/${id}/k`, { peer })).headers.get('x-ratelimit-remaining')).toBe('0')
    const refused = await h.curl(`/${id}/k`, { peer })
    expect(await answer(refused)).toEqual([429, 'Too Many Requests'])
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect((await h.curl('/', { peer, data: ['email=a'] })).status).toBe(429)
    expect((await h.curl(`/${id}/k`, { peer: uniquePeer() })).status).toBe(200)
    // A CORS preflight is not counted.
    const preflight = await h.fetch(`/${id}/k`, {
      method: 'OPTIONS',
      peer,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization')
    h.clock.advance(60_000)
    const again = await h.curl(`/${id}/k`, { peer })
    expect(again.status).toBe(200)
    expect(again.headers.get('access-control-allow-origin')).toBe('*')
    expect(again.headers.get('access-control-expose-headers')).toContain('X-Ratelimit-Remaining')
  })

  test('the count lives in the store: two kvgates on one store share one limit', async () => {
    // store.env is read once: on Redis each read is a fresh key prefix, and both must share one.
    const base = store.env
    const shared: Record<string, string> =
      base.KVGATE_DATA === ':memory:' ? { KVGATE_DATA: join(dir, 'shared.db') } : {}
    const env = { ...base, ...shared, KVGATE_KVDB_RATE_LIMIT: '2' }
    const a = harness(env)
    const b = harness(env)
    const peer = uniquePeer()
    expect((await a.curl('/', { peer, data: ['email=a'] })).status).toBe(200)
    expect((await b.curl('/', { peer, data: ['email=a'] })).status).toBe(200)
    expect((await a.curl('/', { peer, data: ['email=a'] })).status).toBe(429)
    expect((await b.curl('/', { peer, data: ['email=a'] })).status).toBe(429)
  })

  test('the limit is on by default (1,000 per hour) and 0 turns it off with its headers', async () => {
    const on = harness({ KVGATE_KVDB_RATE_LIMIT: '' })
    const response = await on.curl('/', { data: ['email=a'], peer: uniquePeer() })
    expect(response.headers.get('x-ratelimit-limit')).toBe('1000')
    const off = harness()
    expect((await off.curl('/', { data: ['email=a'] })).headers.get('x-ratelimit-limit')).toBeNull()
  })

  test('X-Forwarded-For counts only from trusted proxies', async () => {
    const h = harness({ KVGATE_KVDB_RATE_LIMIT: '1', KVGATE_TRUSTED_PROXIES: '10.9.9.9' })
    const client = uniquePeer()
    const viaProxy = (forwarded: string) =>
      h.curl('/', { data: ['email=a'], peer: '10.9.9.9', headers: { 'x-forwarded-for': forwarded } })
    expect((await viaProxy(client)).status).toBe(200)
    expect((await viaProxy(client)).status).toBe(429)
    expect((await viaProxy(uniquePeer())).status).toBe(200)
    // From an untrusted peer the header is ignored: the peer itself is counted.
    const direct = uniquePeer()
    const spoofed = () =>
      h.curl('/', { data: ['email=a'], peer: direct, headers: { 'x-forwarded-for': uniquePeer() } })
    expect((await spoofed()).status).toBe(200)
    expect((await spoofed()).status).toBe(429)
  })

  test('key and value limits and bucket creation are configurable', async () => {
    const h = harness({
      KVGATE_KVDB_MAX_KEY_BYTES: '4',
      KVGATE_KVDB_MAX_VALUE_BYTES: '8',
      KVGATE_KVDB_DEFAULT_TTL: '10',
      KVGATE_KVDB_MAX_LIST_LIMIT: '2',
    })
    const id = await h.createBucket()
    expect((await h.curl(`/${id}/abcd`, { data: ['12345678'] })).status).toBe(200)
    expect((await h.curl(`/${id}/abcde`, { data: ['1'] })).status).toBe(400)
    expect((await h.curl(`/${id}/abc`, { data: ['123456789'] })).status).toBe(413)
    await h.curl(`/${id}/b`, { data: ['1'] })
    await h.curl(`/${id}/c`, { data: ['1'] })
    expect(await (await h.curl(`/${id}/?limit=100`)).text()).toBe('abcd\nb\n')
    h.clock.advance(11_000)
    expect((await h.curl(`/${id}/abcd`)).status).toBe(404)
    const closed = harness({ KVGATE_KVDB_ALLOW_CREATE: 'false' })
    expect(await answer(await closed.curl('/', { data: ['email=a'] }))).toEqual([
      403,
      'bucket creation is disabled on this server',
    ])
  })

  test('values: kinds decide the Content-Type on GET and the JSON shape in listings', async () => {
    const h = harness()
    const id = await h.createBucket()
    const put = (key: string, body: BodyInit, type?: string) =>
      h.curl(`/${id}/${key}`, { method: 'PUT', body, headers: type ? { 'content-type': type } : {} })
    await put('int', '007')
    await put('big', '9223372036854775807')
    await put('huge', '92233720368547758070')
    await put('float', '-1.50')
    await put('exp', '1e3')
    await put('json', '{"a": "b"}', 'application/json; charset=utf-8')
    await put('fake-json', '{not json', 'application/json')
    await put('json-untyped', '{"a": "b"}')
    await put('form', 'a=b&c=%20d', 'application/x-www-form-urlencoded')
    await put('bin', new Uint8Array([0xff, 0xfe, 0x41]))
    const types: Record<string, string | null> = {}
    for (const key of ['int', 'json', 'fake-json', 'form', 'bin']) {
      types[key] = (await h.curl(`/${id}/${key}`)).headers.get('content-type')
    }
    expect(types).toEqual({
      int: 'text/plain; charset=utf-8',
      json: 'application/json',
      'fake-json': 'text/plain; charset=utf-8',
      form: 'text/plain; charset=utf-8',
      bin: 'application/octet-stream',
    })
    expect(await (await h.curl(`/${id}/form`)).text()).toBe('a=b&c=%20d')
    expect(await (await h.curl(`/${id}/int`)).text()).toBe('007')
    const listing = await (await h.curl(`/${id}/?values=true&format=json`)).text()
    expect(listing).toBe(
      '[["big",9223372036854775807],["bin","\uFFFD\uFFFDA"],["exp",1000],["fake-json","{not json"],' +
        '["float",-1.5],["form","a=b&c=%20d"],["huge",92233720368547760000],["int",7],["json",{"a":"b"}],' +
        '["json-untyped","{\\"a\\": \\"b\\"}"]]',
    )
  })

  test('a namespace of another dialect is not a bucket', async () => {
    const h = harness()
    const other = await h.kv.engine.namespaces.create({ dialect: 'cloudkv', settings: {} })
    expect(await answer(await h.curl(`/${other.id}/k`))).toEqual([404, 'bucket not found'])
    expect((await h.curl(`/${other.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  test('changing default_ttl applies to later writes only', async () => {
    const h = harness()
    const id = await h.createBucket({ secret_key: 's', default_ttl: '100' })
    await h.curl(`/${id}/before`, { data: ['1'] })
    expect((await h.curl(`/${id}`, { method: 'PATCH', data: ['default_ttl=0'], user: 's:' })).status).toBe(
      200,
    )
    await h.curl(`/${id}/after`, { data: ['1'] })
    h.clock.advance(101_000)
    expect((await h.curl(`/${id}/before`)).status).toBe(404)
    expect((await h.curl(`/${id}/after`)).status).toBe(200)
  })
})

// The suite above runs at every mount already; this one chooses its own routes.
describeEachStore('kvdb routes', (store) => {
  const harness = harnesses(store, DEFAULT_MOUNT)

  test('KVGATE_ROUTES can move the dialect to another prefix or give it a host root', async () => {
    const h = harness({ KVGATE_ROUTES: 'kvdb=/api/kv|kvdb.example.test' })
    const created = await h.kv.fetch('/api/kv', { method: 'POST', body: 'email=a' })
    expect(created.status).toBe(200)
    const id = await created.text()
    expect((await h.kv.fetch(`/api/kv/${id}/k`, { method: 'PUT', body: 'v' })).status).toBe(200)
    const onHost = await h.kv.fetch(`/${id}/k`, { host: 'kvdb.example.test' })
    expect(await answer(onHost)).toEqual([200, 'v'])
    expect(await (await h.kv.fetch(`/${id}/`, { host: 'kvdb.example.test' })).text()).toBe('k\n')
    expect(
      (await h.kv.fetch('/', { method: 'POST', body: 'email=a', host: 'kvdb.example.test' })).status,
    ).toBe(200)
  })
})
