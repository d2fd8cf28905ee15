// Keys made of dot segments, sent byte for byte over a socket: the URL parser resolves "." and ".."
// (%2E and %2E%2E too) before any route sees the path, so such a key reaches its bucket's path
// ("/{b}/x/.." is "/{b}/") or the dialect's root ("/{b}/.." is "/"). Neither may change or delete
// the bucket: the bucket's path with its slash only lists.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { sendRawText } from '../../support/hostile.ts'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { answer, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

const SECRET = 'dot-secret'
const withSlash = (segments: string[]) => segments.flatMap((segment) => [segment, `${segment}/`])
const DOT = withSlash(['.', '%2E'])
const DOUBLE_DOT = withSlash(['..', '%2E%2E', '%2e%2E'])
/** Keys whose path arrives as the dialect's root. */
const TO_ROOT = DOUBLE_DOT
/** Keys whose path arrives as the bucket's path with its trailing slash. */
const TO_BUCKET = [...DOT, ...DOUBLE_DOT.map((segment) => `x/${segment}`)]

describeEachStoreAndMount('kvdb dot segments in key position', KVDB_MOUNTS, (store, mount) => {
  let h: KvdbHarness
  let server: { url: string; stop(): Promise<void> }
  let bucket: string
  beforeAll(async () => {
    h = kvdbHarness(store, mount)
    server = listenTestKvgate(h.kv)
    bucket = await h.createBucket({ secret_key: SECRET })
    for (const [key, value] of [
      ['a', '1'],
      ['x', '2'],
      ['x/y', '3'],
    ]) {
      expect((await h.curl(`/${bucket}/${key}`, { method: 'PUT', body: value })).status).toBe(200)
    }
  })
  afterAll(async () => {
    await server.stop()
    await h.kv.close()
  })

  const send = async (method: string, key: string, body?: string) => {
    const target = `${mount.prefix}/${bucket}/${key}`
    const headers: Array<[string, string]> = [['Authorization', `Bearer ${SECRET}`]]
    return sendRawText(server.url, { method, target, headers, body, host: mount.host })
  }
  const expectIntact = async () => {
    const listing = await h.curl(`/${bucket}/?values=true`, { user: `${SECRET}:` })
    expect(await answer(listing)).toEqual([200, 'a=1\nx=2\nx/y=3\n'])
  }

  for (const key of TO_ROOT) {
    test(`key ${key}: every method but POST is 405 at the root, and the bucket is intact`, async () => {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const body = method === 'GET' ? undefined : '+1'
        expect([method, await send(method, key, body)]).toEqual([
          method,
          { status: 405, type: 'text/plain; charset=utf-8', text: 'method not allowed' },
        ])
      }
      expect((await send('HEAD', key)).status).toBe(405)
      await expectIntact()
    })
  }

  for (const key of TO_BUCKET) {
    test(`key ${key}: every method but GET (a listing) is 405 at the bucket's path, and the bucket is intact`, async () => {
      for (const method of ['PUT', 'POST', 'PATCH', 'DELETE']) {
        const body = method === 'DELETE' ? undefined : method === 'POST' ? '{"txn":[{"delete":"a"}]}' : '+1'
        expect([method, await send(method, key, body)]).toEqual([
          method,
          { status: 405, type: 'text/plain; charset=utf-8', text: 'method not allowed' },
        ])
      }
      await expectIntact()
    })
  }
})
