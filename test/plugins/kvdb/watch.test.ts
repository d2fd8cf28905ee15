// KVdb's watch feed (GET /{bucket}?watch): the shared suite, and a token's prefix narrowing it.

import { expect, test } from 'bun:test'
import { testStores } from '../../support/stores.ts'
import { SSE, SseReader, watchSuite } from '../../support/watch.ts'
import { kvdbHarness } from './harness.ts'

const SECRET = { authorization: 'Bearer watch-secret' }

for (const store of testStores) {
  watchSuite('kvdb', store, async (env) => {
    const h = kvdbHarness({ name: store.name, env })
    const id = await h.createBucket({ secret_key: 'watch-secret' })
    return {
      watch: (query, headers = {}) =>
        h.fetch(`/${id}?watch&${query}`, { headers: { ...SECRET, ...headers } }),
      refused: (query) => h.fetch(`/${id}?watch&${query}`, { headers: SSE }),
      refusedStatus: 403,
      put: async (key, value) => {
        expect((await h.fetch(`/${id}/${key}`, { method: 'PUT', body: value, headers: SECRET })).status).toBe(
          200,
        )
      },
      remove: async (key) => {
        expect((await h.fetch(`/${id}/${key}`, { method: 'DELETE', headers: SECRET })).status).toBe(200)
      },
      close: () => h.kv.close(),
    }
  })
}

test('a token sees only its prefix: by default, and a prefix outside it is refused', async () => {
  const h = kvdbHarness(testStores[0]!)
  const id = await h.createBucket({ secret_key: 'mykey', signing_key: 'sk' })
  const minted = await h.curl(`/${id}/tokens/`, {
    data: ['prefix=user:1:&permissions=read,enumerate&ttl=3600'],
    user: 'mykey:',
  })
  expect(minted.status).toBe(200)
  const { access_token: token } = (await minted.json()) as { access_token: string }
  const bearer = { authorization: `Bearer ${token}` }
  const outside = await h.fetch(`/${id}?watch&prefix=user%3A2%3A`, { headers: { ...SSE, ...bearer } })
  expect(outside.status).toBe(403)
  const events = new SseReader(await h.fetch(`/${id}?watch`, { headers: { ...SSE, ...bearer } }))
  await h.curl(`/${id}/user:2:x`, { data: ['no'], user: 'mykey:' })
  await h.curl(`/${id}/user:1:x`, { data: ['yes'], user: 'mykey:' })
  const [event] = await events.take(1)
  await events.close()
  expect(event!.data.key).toBe('user:1:x')
  await h.kv.close()
})

test('the key "watch" is still a key', async () => {
  const h = kvdbHarness(testStores[0]!)
  const id = await h.createBucket()
  expect((await h.curl(`/${id}/watch`, { data: ['v'] })).status).toBe(200)
  expect(await (await h.curl(`/${id}/watch`)).text()).toBe('v')
  await h.kv.close()
})
