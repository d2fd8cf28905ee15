// Entry keys made of dot segments, sent byte for byte over a raw socket: Bun resolves "." and ".."
// (also %2E, %2E%2E) before kvgate sees the path, so such a key arrives as a parent's path. None of
// them may reach a parent route: above all, DELETE of an entry ".." must never delete the namespace.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { dialects } from '../../plugins/index.ts'
import { rawRequest, sendRaw } from '../support/hostile.ts'
import { ADMIN_TOKEN, listenTestKvgate, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { describeEachStore } from '../support/stores.ts'

const DOUBLE_DOTS = ['..', '%2E%2E', '%2e%2E', '.%2E']
const SINGLE_DOTS = ['.', '%2E']

describeEachStore('admin entries with dot-segment keys', (store) => {
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  let ns = ''

  beforeAll(async () => {
    kvgate = testKvgate(dialects, store.env)
    server = listenTestKvgate(kvgate)
    ns = (await kvgate.engine.namespaces.create({ dialect: 'kvdb' })).id
    await kvgate.engine.put(ns, new TextEncoder().encode('kept'), { bytes: new TextEncoder().encode('v') })
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  const send = async (method: string, key: string) => {
    const target = `/admin/namespaces/${ns}/entries/${key}`
    const body = method === 'PUT' ? '{"value":"overwritten"}' : undefined
    const answer = await sendRaw(
      server.url,
      rawRequest(method, target, [['Authorization', `Bearer ${ADMIN_TOKEN}`]], body),
    )
    if (!answer) throw new Error(`no answer to ${method} ${target}`)
    return { method, key, status: answer.status }
  }

  const intact = async () => {
    const entry = await kvgate.engine.get(ns, new TextEncoder().encode('kept'))
    expect(new TextDecoder().decode(entry!.value)).toBe('v')
    expect(await kvgate.engine.namespaces.get(ns)).not.toBeNull()
  }

  test('a key ".." (the namespace path with a trailing slash) is no route: 404 for every method', async () => {
    for (const dots of DOUBLE_DOTS) {
      for (const key of [dots, `${dots}/`]) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          expect(await send(method, key)).toEqual({ method, key, status: 404 })
        }
      }
    }
    await intact()
  })

  test('"../.." and "../../.." reach neither the namespace list nor the admin root for writes', async () => {
    for (const dots of DOUBLE_DOTS) {
      for (const key of [`${dots}/${dots}`, `${dots}/${dots}/${dots}`]) {
        for (const method of ['PUT', 'DELETE']) {
          const { status } = await send(method, key)
          expect({ method, key, refused: status === 404 || status === 405 }).toEqual({
            method,
            key,
            refused: true,
          })
        }
      }
    }
    await intact()
  })

  test('a key "." or "x/.." is the empty key: 400 for every method, nothing listed or written', async () => {
    for (const key of [...SINGLE_DOTS, ...DOUBLE_DOTS.map((dots) => `x/${dots}`)]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        expect(await send(method, key)).toEqual({ method, key, status: 400 })
      }
    }
    await intact()
  })
})
