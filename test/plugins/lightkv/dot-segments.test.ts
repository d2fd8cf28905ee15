// Dot segments over a raw socket: the URL parser resolves "." and ".." (and %2E, %2E%2E) before
// kvgate sees a path, so such a path reaches another one than it was sent as. LightKV keys travel in
// the query or body, never in the path, so the only risk is reaching another endpoint: a segment
// after an endpoint's name, or in the middle of it, must leave a path that is no endpoint and
// answer NOT_FOUND in the envelope, with the app's items and lists untouched.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { jsonOf, rawRequest, sendRaw } from '../../support/hostile.ts'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

const DOUBLE_DOTS = ['%2E%2E', '..', '%2e%2E']
const DOTS = [...DOUBLE_DOTS, '%2E', '.']

interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  query?: string
  /** A body that, on the endpoint itself, would change the app's data. */
  body?: unknown
}

// Every endpoint, each with a request that succeeds on the data written below (and changes it,
// for the writes).
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/item/write', body: { key: 'k', value: 'changed' } },
  { method: 'GET', path: '/item/read', query: '?key=k' },
  { method: 'DELETE', path: '/item/delete', query: '?key=k' },
  { method: 'GET', path: '/item/exists', query: '?key=k' },
  { method: 'GET', path: '/item/keys' },
  { method: 'POST', path: '/list/write', body: { key: 'l', values: ['changed'] } },
  { method: 'GET', path: '/list/read', query: '?key=l' },
  { method: 'POST', path: '/list/add', body: { key: 'l', values: ['added'] } },
  { method: 'POST', path: '/list/remove', body: { key: 'l', values: ['a'] } },
  { method: 'POST', path: '/list/purge', body: { key: 'l' } },
  { method: 'GET', path: '/list/exists', query: '?key=l&value=a' },
  { method: 'GET', path: '/list/index', query: '?key=l&value=b' },
  { method: 'GET', path: '/list/count', query: '?key=l' },
  { method: 'GET', path: '/list/slice', query: '?key=l&start=0&end=1' },
  { method: 'GET', path: '/list/keys' },
]

/** The paths an endpoint's request is sent as: a dot segment after its name, or inside it. */
function dottedPaths(path: string): string[] {
  const [, group, name] = path.split('/')
  return [
    // "/item/delete/.." arrives as "/item/", "/item/delete/." as "/item/delete/".
    ...DOTS.flatMap((dot) => [`${path}/${dot}`, `${path}/${dot}/`]),
    // "/item/../read" arrives as "/read". ("/item/./read" is "/item/read" itself: it names it.)
    ...DOUBLE_DOTS.flatMap((dot) => [`/${group}/${dot}/${name}`, `/${group}/${dot}/${name}/`]),
  ]
}

describeEachStoreAndMount('lightkv: dot segments', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  let server: { url: string; stop(): Promise<void> }
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
    server = listenTestKvgate(kv.kvgate)
    expect((await kv.post('/item/write', { key: 'k', value: 'kept' })).status).toBe(200)
    expect((await kv.post('/item/write', { key: 'other', value: 1 })).status).toBe(200)
    expect((await kv.post('/list/write', { key: 'l', values: ['a', 'b'] })).status).toBe(200)
  })
  afterAll(async () => {
    await server.stop()
    await kv.close()
  })

  test('a dot segment never reaches an endpoint: NOT_FOUND in the envelope, and nothing changes', async () => {
    const headers: Array<[string, string]> = [['Authorization', `Bearer ${kv.app.readwrite}`]]
    const answers: Array<{ label: string; status?: number; type?: string | null; body: unknown }> = []
    for (const endpoint of ENDPOINTS) {
      const body = endpoint.body === undefined ? undefined : JSON.stringify(endpoint.body)
      for (const path of dottedPaths(endpoint.path)) {
        const target = `${mount.prefix}${path}${endpoint.query ?? ''}`
        const answer = await sendRaw(
          server.url,
          rawRequest(endpoint.method, target, headers, body, mount.host),
        )
        answers.push({
          label: `${endpoint.method} ${target}`,
          status: answer?.status,
          type: answer?.headers.get('content-type'),
          body: answer && jsonOf(answer.body),
        })
      }
    }
    // The data first: a request that reached an endpoint shows here as what it changed.
    expect((await kv.get('/item/read?key=k')).body).toEqual({ ok: true, data: { key: 'k', value: 'kept' } })
    expect((await kv.get('/item/keys')).body).toEqual({ ok: true, data: ['k', 'other'] })
    expect((await kv.get('/list/read?key=l')).body).toEqual({ ok: true, data: ['a', 'b'] })
    expect((await kv.get('/list/keys')).body).toEqual({ ok: true, data: ['l'] })
    expect(answers).toEqual(
      answers.map(({ label }) => ({
        label,
        status: 404,
        type: 'application/json',
        body: failure('NOT_FOUND'),
      })),
    )
  })
})
