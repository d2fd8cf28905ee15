// Keys made of dot segments, sent byte for byte over a socket: the URL parser resolves "." and ".."
// (%2E and %2E%2E too) before any route sees the path, so such a key reaches the bucket's find path
// with its trailing slash ("/kv/{b}/x/.." is "/kv/{b}/", an empty key) or the path above every
// bucket ("/kv/{b}/.." is "/kv/"). Neither may become a write or a delete of anything: an empty key
// is CloudKV's 400 for a key name, GET keeps its contract's meaning of "/kv/{b}/" (a find, under the
// same read rules), and "/kv/" is no route. The README says what cannot be told apart.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { sendRawText } from '../../support/hostile.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { CLOUDKV_MOUNTS, type CloudkvHarness, cloudkvHarness, type ServedCloudkv } from './support.ts'

const JSON_TYPE = 'application/json; charset=utf-8'
const withSlash = (segments: string[]) => segments.flatMap((segment) => [segment, `${segment}/`])
const DOUBLE_DOTS = ['..', '%2E%2E', '%2e%2E']
/** Keys whose path arrives as the bucket's find path with its trailing slash: an empty key. */
const TO_EMPTY_KEY = withSlash(['.', '%2E', ...DOUBLE_DOTS.map((segment) => `x/${segment}`)])
/** Keys whose path arrives as /kv/, above every bucket. */
const TO_KV_ROOT = withSlash(DOUBLE_DOTS)
const KEYS = { a: '1', x: '2', 'x/y': '3' }

describeEachStoreAndMount('cloudkv dot segments in key position', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  let server: ServedCloudkv
  let owner: string
  let bucket: string
  beforeAll(async () => {
    h = cloudkvHarness(store, { mount })
    server = h.listen()
    owner = (await h.account()).key
    bucket = await h.bucket(owner, 'protected')
    for (const [key, value] of Object.entries(KEYS)) {
      expect((await h.call('PUT', `/kv/${bucket}/${key}`, { key: owner, body: value })).status).toBe(200)
    }
  })
  afterAll(async () => {
    await server.stop()
    await h.kvgate.close()
  })

  const send = async (method: string, key: string, body?: string) => {
    const target = `${mount.prefix}/kv/${bucket}/${key}`
    return sendRawText(server.url, { method, target, headers: [['api-key', owner]], body, host: mount.host })
  }
  const expectIntact = async () => {
    const listed = await h.call('GET', '/buckets', { key: owner })
    const { buckets } = (await listed.json()) as { buckets: Array<{ id: string; estimated_keys: number }> }
    expect(buckets.find((each) => each.id === bucket)?.estimated_keys).toBe(3)
    for (const [key, value] of Object.entries(KEYS)) {
      const read = await h.call('GET', `/kv/${bucket}/${key}`, { key: owner })
      expect([key, read.status, await read.text()]).toEqual([key, 200, value])
    }
  }

  for (const key of TO_EMPTY_KEY) {
    test(`key ${key}: writes and deletes are 400 for the key name, GET is the bucket's find`, async () => {
      for (const method of ['PUT', 'POST', 'DELETE']) {
        expect([method, await send(method, key, method === 'DELETE' ? undefined : 'v')]).toEqual([
          method,
          { status: 400, type: JSON_TYPE, text: '{"message":"key name must be 1 to 64 bytes"}' },
        ])
      }
      expect(await send('GET', key)).toEqual({
        status: 200,
        type: 'text/plain; charset=utf-8',
        text: 'a\nx\nx/y',
      })
      const head = await send('HEAD', key)
      expect([head.status, head.text]).toEqual([200, ''])
      await expectIntact()
    })
  }

  for (const key of TO_KV_ROOT) {
    test(`key ${key}: every method is 404 at /kv/, and the bucket is intact`, async () => {
      for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS']) {
        const body = method === 'PUT' || method === 'POST' ? 'v' : undefined
        expect([method, await send(method, key, body)]).toEqual([
          method,
          { status: 404, type: JSON_TYPE, text: '{"message":"not found"}' },
        ])
      }
      const head = await send('HEAD', key)
      expect([head.status, head.text]).toEqual([404, ''])
      await expectIntact()
    })
  }
})
