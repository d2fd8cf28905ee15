// Where LightKV answers: its default prefix, another prefix, or the root of its own host name, as
// an unmodified client pointed at https://lightkv.com would call it.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type LightKvTest, lightKvTest } from './lightkv.ts'

describeEachStore('lightkv: routes', (store) => {
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { env: { KVGATE_ROUTES: 'lightkv=/lightkv|api.lightkv.test' } })
  })
  afterAll(() => kv.close())

  const at = (path: string, init: RequestInit & { host?: string } = {}) =>
    kv.kvgate.fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${kv.app.readwrite}`, ...init.headers },
    })

  test('the root of its own host name', async () => {
    const written = await at('/item/write', {
      method: 'POST',
      host: 'api.lightkv.test',
      body: '{"key": "user:42:score", "value": 9001}',
    })
    expect(await written.json()).toEqual({ ok: true, data: { key: 'user:42:score', value: 9001 } })
    const read = await at('/lightkv/item/read?key=user:42:score')
    expect(await read.json()).toEqual({ ok: true, data: { key: 'user:42:score', value: 9001 } })
  })

  test('unknown paths on its host are in its envelope; core paths still answer', async () => {
    const missing = await at('/nope', { host: 'api.lightkv.test' })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'Route not found' },
    })
    expect((await at('/healthz', { host: 'api.lightkv.test' })).status).toBe(200)
  })

  test('CORS: a browser may send the token and read Retry-After', async () => {
    const preflight = await at('/lightkv/item/write', {
      method: 'OPTIONS',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization')
    const answer = await at('/lightkv/item/keys', { headers: { origin: 'https://example.com' } })
    expect(answer.headers.get('access-control-allow-origin')).toBe('*')
    expect(answer.headers.get('access-control-expose-headers')).toContain('Retry-After')
  })
})

describeEachStore('lightkv: over a real port', (store) => {
  test('the curl examples, sent as curl sends them', async () => {
    const kv = await lightKvTest(store)
    const server = listenTestKvgate(kv.kvgate)
    try {
      const base = `${server.url}/lightkv`
      const auth = { authorization: `Bearer ${kv.app.readwrite}` }
      // curl -d without -H "Content-Type" labels the JSON a form.
      const form = { ...auth, 'content-type': 'application/x-www-form-urlencoded' }
      const write = await fetch(`${base}/list/write`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"key": "online-users", "values": ["alice", "bob", "carol"]}',
      })
      expect(await write.json()).toEqual({
        ok: true,
        data: { key: 'online-users', values: ['alice', 'bob', 'carol'] },
      })
      const add = await fetch(`${base}/list/add`, {
        method: 'POST',
        headers: form,
        body: '{"key": "online-users", "values": ["dave"]}',
      })
      expect((await add.json()).data.values).toEqual(['alice', 'bob', 'carol', 'dave'])
      const slice = await fetch(`${base}/list/slice?key=online-users&start=0&end=1`, {
        headers: { authorization: `Bearer ${kv.app.read}` },
      })
      expect(slice.headers.get('content-type')).toStartWith('application/json')
      expect(await slice.json()).toEqual({ ok: true, data: ['alice', 'bob'] })
    } finally {
      await server.stop()
      await kv.close()
    }
  })
})
