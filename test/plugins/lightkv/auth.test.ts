// Tokens against every endpoint: none, wrong, read, readwrite, and rotated ones.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN_TOKEN } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { type App, failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  json?: unknown
}

// Each a request that succeeds with a readwrite token on the data set up below.
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/item/write', json: { key: 'k', value: 1 } },
  { method: 'GET', path: '/item/read?key=k' },
  { method: 'GET', path: '/item/exists?key=k' },
  { method: 'GET', path: '/item/keys' },
  { method: 'DELETE', path: '/item/delete?key=gone' },
  { method: 'POST', path: '/list/write', json: { key: 'l', values: ['a', 'b'] } },
  { method: 'GET', path: '/list/read?key=l' },
  { method: 'POST', path: '/list/add', json: { key: 'l', values: ['c'] } },
  { method: 'POST', path: '/list/remove', json: { key: 'l', values: ['c'] } },
  { method: 'POST', path: '/list/purge', json: { key: 'purge-me' } },
  { method: 'GET', path: '/list/exists?key=l' },
  { method: 'GET', path: '/list/exists?key=l&value=a' },
  { method: 'GET', path: '/list/index?key=l&value=b' },
  { method: 'GET', path: '/list/count?key=l' },
  { method: 'GET', path: '/list/slice?key=l&start=0&end=1' },
  { method: 'GET', path: '/list/keys' },
]

describeEachStoreAndMount('lightkv: authentication', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  let old: App
  let current: App
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
    old = await kv.newApp()
    const rotated = await kv.kvgate.fetch(`/admin/accounts/${old.id}/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ which: 'both' }),
    })
    expect(rotated.status).toBe(200)
    const { credentials } = (await rotated.json()) as { credentials: Record<string, string> }
    expect(Object.keys(credentials).sort()).toEqual(['read_token', 'readwrite_token'])
    current = { id: old.id, read: credentials.read_token!, readwrite: credentials.readwrite_token! }
  })
  afterAll(() => kv.close())

  /** Makes sure the endpoint's request can succeed: the data it reads or deletes exists. */
  async function prepare(app: App) {
    await kv.post('/item/write', { key: 'k', value: 1 }, app.readwrite)
    await kv.post('/item/write', { key: 'gone', value: 1 }, app.readwrite)
    await kv.post('/list/write', { key: 'l', values: ['a', 'b'] }, app.readwrite)
    await kv.post('/list/write', { key: 'purge-me', values: [] }, app.readwrite)
  }

  const call = (endpoint: Endpoint, token: string | null, headers?: Record<string, string>) =>
    kv.call(endpoint.method, endpoint.path, { token, json: endpoint.json, headers })

  for (const endpoint of ENDPOINTS) {
    describe(`${endpoint.method} ${endpoint.path}`, () => {
      test('no token is UNAUTHORIZED', async () => {
        const answer = await call(endpoint, null)
        expect(answer.status).toBe(401)
        expect(answer.body).toEqual(failure('UNAUTHORIZED'))
      })

      test('a wrong or malformed token is UNAUTHORIZED', async () => {
        const forged = `kvg_${'A'.repeat(12)}${'b'.repeat(32)}`
        for (const token of [forged, 'garbage', `${current.readwrite}x`, current.readwrite.slice(0, -1)]) {
          const answer = await call(endpoint, token)
          expect(answer.status).toBe(401)
          expect(answer.body).toEqual(failure('UNAUTHORIZED'))
        }
        const basic = await call(endpoint, null, { authorization: `Basic ${current.readwrite}` })
        expect(basic.body).toEqual(failure('UNAUTHORIZED'))
      })

      test('tokens rotated away are UNAUTHORIZED at once', async () => {
        for (const token of [old.read, old.readwrite]) {
          const answer = await call(endpoint, token)
          expect(answer.status).toBe(401)
          expect(answer.body).toEqual(failure('UNAUTHORIZED'))
        }
      })

      test('the read token', async () => {
        await prepare(current)
        const answer = await call(endpoint, current.read)
        if (endpoint.method === 'GET') {
          expect(answer.status).toBe(200)
          expect(answer.body.ok).toBe(true)
        } else {
          expect(answer.status).toBe(403)
          expect(answer.body).toEqual(failure('FORBIDDEN'))
        }
      })

      test('the readwrite token', async () => {
        await prepare(current)
        const answer = await call(endpoint, current.readwrite)
        expect(answer.status).toBe(200)
        expect(answer.body.ok).toBe(true)
      })
    })
  }

  test('a read token on a write is FORBIDDEN before its body is looked at', async () => {
    const answer = await kv.call('POST', '/item/write', { token: current.read, raw: '{nope' })
    expect(answer.status).toBe(403)
  })

  test('rotating only the read token leaves the readwrite token working', async () => {
    const app = await kv.newApp()
    const rotated = await kv.kvgate.accounts.rotate(app.id, 'read')
    expect(Object.keys(rotated.credentials)).toEqual(['read_token'])
    expect((await kv.get('/item/keys', app.read)).status).toBe(401)
    expect((await kv.get('/item/keys', rotated.credentials.read_token)).status).toBe(200)
    expect((await kv.get('/item/keys', app.readwrite)).status).toBe(200)
  })

  test('a deleted app has no tokens', async () => {
    const app = await kv.newApp()
    const deleted = await kv.kvgate.fetch(`/admin/accounts/${app.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(deleted.status).toBe(204)
    expect((await kv.get('/item/keys', app.readwrite)).body).toEqual(failure('UNAUTHORIZED'))
  })
})
