// Malformed requests: bad bodies, missing parameters, unknown routes and wrong methods, all in the
// envelope; and the optional per-app rate limit.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

const POSTS = ['/item/write', '/list/write', '/list/add', '/list/remove', '/list/purge']
const KEYED_GETS = [
  '/item/read',
  '/item/exists',
  '/list/read',
  '/list/exists',
  '/list/index',
  '/list/count',
  '/list/slice',
]

describeEachStoreAndMount('lightkv: malformed requests', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
  })
  afterAll(() => kv.close())

  test('bodies that are not JSON, empty, or not an object are BAD_REQUEST', async () => {
    for (const path of POSTS) {
      for (const raw of ['{"key": "a",', 'key=a&value=1', '', '   ', '[]', '"a"', '42', 'null']) {
        const answer = await kv.call('POST', path, { raw })
        expect(answer.status).toBe(400)
        expect(answer.body).toEqual(failure('BAD_REQUEST'))
      }
    }
  })

  test('a body that is not UTF-8 JSON is BAD_REQUEST', async () => {
    const response = await kv.fetch('/item/write', {
      method: 'POST',
      headers: { authorization: `Bearer ${kv.app.readwrite}` },
      body: new Uint8Array([0xff, 0xfe, 0x7b]),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual(failure('BAD_REQUEST'))
  })

  test('a missing or empty key is BAD_REQUEST', async () => {
    for (const path of POSTS) {
      for (const json of [
        { values: [1], value: 1 },
        { key: '', values: [1], value: 1 },
      ]) {
        const answer = await kv.post(path, json)
        expect(answer.status).toBe(400)
        expect(answer.body).toEqual(failure('BAD_REQUEST'))
      }
    }
    for (const path of [...KEYED_GETS, '/item/delete']) {
      const method = path === '/item/delete' ? 'DELETE' : 'GET'
      for (const query of ['', '?key=', '?prefix=a']) {
        const answer = await kv.call(method, `${path}${query}`)
        expect(answer.status).toBe(400)
        expect(answer.body).toEqual(failure('BAD_REQUEST'))
      }
    }
    expect((await kv.get('/item/read')).body.error.message).toBe('"key" query parameter is required')
  })

  test('members beyond those documented are ignored, and a repeated member counts once, the last', async () => {
    const answer = await kv.call('POST', '/item/write', {
      raw: '{"key": "dup", "value": 1, "extra": {"x": [1, "]"]}, "value": "last"}',
    })
    expect(answer.body).toEqual({ ok: true, data: { key: 'dup', value: 'last' } })
  })

  test('keys with spaces, slashes and escapes round-trip through the query', async () => {
    const key = 'a b/c?d&e=f%g+h'
    await kv.post('/item/write', { key, value: 'odd' })
    const answer = await kv.get(`/item/read?key=${encodeURIComponent(key)}`)
    expect(answer.body).toEqual({ ok: true, data: { key, value: 'odd' } })
  })

  test('an unknown path under the prefix is NOT_FOUND in the envelope, with or without a token', async () => {
    for (const path of ['/nope', '/item', '/item/write/extra', '/list/', '', '/items/read']) {
      for (const token of [kv.app.readwrite, null]) {
        const answer = await kv.call('GET', `${path}`, { token })
        expect(answer.status).toBe(404)
        expect(answer.headers.get('content-type')).toStartWith('application/json')
        expect(answer.body).toEqual(failure('NOT_FOUND'))
      }
    }
  })

  test('a known path with another method is METHOD_NOT_ALLOWED in the envelope', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/item/write', 'POST'],
      ['PUT', '/item/write', 'POST'],
      ['POST', '/item/read', 'GET'],
      ['GET', '/item/delete?key=a', 'DELETE'],
      ['POST', '/item/delete?key=a', 'DELETE'],
      ['DELETE', '/list/read?key=a', 'GET'],
      ['PATCH', '/list/add', 'POST'],
      ['GET', '/list/purge', 'POST'],
      ['POST', '/list/keys', 'GET'],
      ['OPTIONS', '/list/count', 'GET'],
    ]
    for (const [method, path, allowed] of cases) {
      const answer = await kv.call(method, path, { json: { key: 'a' } })
      expect(answer.status).toBe(405)
      expect(answer.headers.get('allow')).toBe(allowed)
      expect(answer.body).toEqual(failure('METHOD_NOT_ALLOWED'))
    }
  })
})

describeEachStoreAndMount('lightkv: options', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  // Time stands still, so the rate-limit window cannot end in the middle of a test.
  const clock = new ManualClock()
  beforeAll(async () => {
    kv = await lightKvTest(store, {
      mount,
      env: {
        KVGATE_LIGHTKV_RATE_LIMIT: '3',
        KVGATE_LIGHTKV_MAX_KEY_BYTES: '4',
        KVGATE_LIGHTKV_MAX_VALUE_BYTES: '8',
        KVGATE_LIGHTKV_MAX_LIST_ITEMS: '2',
        KVGATE_LIGHTKV_MAX_BODY_BYTES: '1024',
      },
      clock,
    })
  })
  afterAll(() => kv.close())

  test('limits come from KVGATE_LIGHTKV_*', async () => {
    const app = await kv.newApp()
    const post = (path: string, json: unknown) => kv.post(path, json, app.readwrite)
    expect((await post('/item/write', { key: 'abcde', value: 1 })).body).toEqual(failure('BAD_REQUEST'))
    expect((await post('/item/write', { key: 'abcd', value: '1234567890' })).body).toEqual(
      failure('PAYLOAD_TOO_LARGE'),
    )
    expect((await post('/list/write', { key: 'l', values: [1, 2, 3] })).body).toEqual(failure('BAD_REQUEST'))
  })

  test('a body over the limit is refused before it is read, whatever its length header', async () => {
    const app = await kv.newApp()
    const answer = await kv.post('/item/write', { key: 'a', value: 'x'.repeat(2000) }, app.readwrite)
    expect(answer.status).toBe(413)
    expect(answer.body).toEqual(failure('PAYLOAD_TOO_LARGE'))
    // A streamed body has no Content-Length: it is counted as it arrives.
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"key": "a", "value": "${'x'.repeat(2000)}"}`))
        controller.close()
      },
    })
    const response = await kv.fetch('/item/write', {
      method: 'POST',
      headers: { authorization: `Bearer ${app.readwrite}` },
      body,
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual(failure('PAYLOAD_TOO_LARGE'))
  })

  test('the rate limit counts per app and answers RATE_LIMITED with Retry-After', async () => {
    const app = await kv.newApp()
    for (let i = 0; i < 3; i++) expect((await kv.get('/item/keys', app.read)).status).toBe(200)
    const limited = await kv.get('/item/keys', app.readwrite)
    expect(limited.status).toBe(429)
    expect(limited.body).toEqual(failure('RATE_LIMITED'))
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    const other = await kv.newApp()
    expect((await kv.get('/item/keys', other.read)).status).toBe(200)
    clock.advance(60_000)
    expect((await kv.get('/item/keys', app.read)).status).toBe(200)
  })
})

describeEachStoreAndMount('lightkv: failures of the store', LIGHTKV_MOUNTS, (store, mount) => {
  test('a store that cannot be reached is 503 INTERNAL_ERROR with the request id, in the envelope', async () => {
    const kv = await lightKvTest(store, { mount })
    await kv.close()
    const answer = await kv.get('/item/read?key=a')
    expect(answer.status).toBe(503)
    expect(answer.body).toEqual(failure('INTERNAL_ERROR'))
    expect(answer.body.error.message).toContain(answer.headers.get('x-request-id')!)
  })

  test('HEAD on a GET endpoint answers as GET would, without a body', async () => {
    const kv = await lightKvTest(store, { mount })
    try {
      const head = (token?: string) =>
        kv.fetch('/item/keys', {
          method: 'HEAD',
          headers: token ? { authorization: `Bearer ${token}` } : {},
        })
      expect((await head()).status).toBe(401)
      const response = await head(kv.app.read)
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('')
    } finally {
      await kv.close()
    }
  })
})
