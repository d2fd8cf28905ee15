// Keys made of dot segments, sent byte for byte over a raw socket: Bun resolves "." and ".." (also
// %2E, %2E%2E) before kvgate sees the path, so such a key arrives as its container's path. None of
// them may act on the account: what comes back is RocketStack's error for the path they become.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import { type Answer, jsonOf, rawRequest, sendRaw } from '../../support/hostile.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { ITEMS, MOUNTS, mounted, mountPath } from './client.ts'

/** Dot segments as a client may send them: plain, percent-encoded, in mixed case. */
const DOUBLE_DOTS = ['..', '%2E%2E', '%2e%2E', '.%2E']
const SINGLE_DOTS = ['.', '%2E', '%2e']

/** What the account holds before and after: nothing sent here may change it. */
const KEPT: Record<string, string> = { a: '"a"', b: '"b"', x: '"x"', 'a/b': '"a/b"', kv: '"kv"' }

describeEachStoreAndMount('RocketStack dot segments in key position', MOUNTS, (store, mount) => {
  let served: TestKvgate
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  let authorization = ''

  beforeAll(async () => {
    served = testKvgate([rocketstackDialect], { ...store.env, ...mount.env })
    kvgate = mounted(served, mount)
    server = listenTestKvgate(served)
    authorization = `Bearer ${(await kvgate.createAccount('rocketstack')).credentials.api_key}`
    for (const [key, value] of Object.entries(KEPT)) {
      const put = await kvgate.fetch(`${ITEMS}/${encodeURIComponent(key)}`, {
        method: 'PUT',
        headers: { authorization },
        body: `{"value":${value}}`,
      })
      expect(put.status).toBe(200)
    }
  })
  afterAll(async () => {
    await server.stop()
    await served.close()
  })

  /** Sends `method` to a key path (written for the default prefix) exactly as given. */
  const send = async (method: string, keyPath: string): Promise<Answer> => {
    const target = mountPath(`${ITEMS}/${keyPath}`, mount)
    const body = method === 'PUT' ? '{"value":"overwritten"}' : undefined
    const answer = await sendRaw(
      server.url,
      rawRequest(method, target, [['Authorization', authorization]], body, mount.host),
    )
    if (!answer) throw new Error(`no answer to ${method} ${target}`)
    return answer
  }

  const errorOf = (answer: Answer) => ({ status: answer.status, error: jsonOf(answer.body)?.error })

  /** Every key with its value, read through the list and a GET of each. */
  const holdings = async () => {
    const list = await kvgate.fetch(`${ITEMS}?limit=1000`, { headers: { authorization } })
    const keys: string[] = (await list.json()).data.items.map((item: { key: string }) => item.key)
    const values: Record<string, unknown> = {}
    for (const key of keys) {
      const read = await kvgate.fetch(`${ITEMS}/${encodeURIComponent(key)}`, { headers: { authorization } })
      values[key] = (await read.json()).data.value
    }
    return values
  }
  const kept = Object.fromEntries(Object.entries(KEPT).map(([key, value]) => [key, JSON.parse(value)]))

  test('a key "..", with or without a trailing slash, names no route: 404 NOT_FOUND for every method', async () => {
    for (const dots of DOUBLE_DOTS) {
      for (const path of [dots, `${dots}/`]) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const answer = await send(method, path)
          expect({ method, path, ...errorOf(answer) }).toEqual({
            method,
            path,
            status: 404,
            error: { code: 'NOT_FOUND', message: 'No route for /kv/' },
          })
          expect(answer.headers.get('x-request-id')).toBeTruthy()
        }
      }
    }
    expect(await holdings()).toEqual(kept)
  })

  test('a key "." or "x/.." is the empty key: PUT and DELETE are 400, GET is the list', async () => {
    for (const path of [
      ...SINGLE_DOTS,
      ...SINGLE_DOTS.map((dot) => `${dot}/`),
      ...DOUBLE_DOTS.map((dots) => `x/${dots}`),
      ...DOUBLE_DOTS.map((dots) => `x/${dots}/`),
    ]) {
      for (const method of ['PUT', 'DELETE']) {
        const answer = await send(method, path)
        expect({ method, path, ...errorOf(answer) }).toEqual({
          method,
          path,
          status: 400,
          error: { code: 'BAD_REQUEST', message: 'Key must not be empty' },
        })
      }
      // GET /kv/items/ is the documented list, which a resolved path cannot be told apart from.
      const listed = await send('GET', path)
      expect({ path, status: listed.status }).toEqual({ path, status: 200 })
      expect(Object.keys(jsonOf(listed.body).data)).toEqual(['items', 'cursor'])
    }
    expect(await holdings()).toEqual(kept)
  })

  test('without the API key, a dot-segment key is still 401 first where it reaches the key route', async () => {
    const target = mountPath(`${ITEMS}/%2E`, mount)
    const answer = await sendRaw(server.url, rawRequest('DELETE', target, [], undefined, mount.host))
    expect(answer && errorOf(answer)).toMatchObject({ status: 401, error: { code: 'UNAUTHORIZED' } })
  })

  test('a middle ".." resolves before kvgate sees it: PUT a/../b writes the key b (README: cannot be told)', async () => {
    const answer = await send('PUT', 'a/%2E%2E/b')
    expect({ status: answer.status, key: jsonOf(answer.body)?.data?.key }).toEqual({ status: 200, key: 'b' })
    expect(await holdings()).toEqual({ ...kept, b: 'overwritten' })
    const restored = await kvgate.fetch(`${ITEMS}/b`, {
      method: 'PUT',
      headers: { authorization },
      body: `{"value":${KEPT.b}}`,
    })
    expect(restored.status).toBe(200)
  })
})
