// CloudKV's watch feed (GET /buckets/{bucket}/watch): the shared suite on every store.

import { expect } from 'bun:test'
import { cloudkvDialect } from '../../../plugins/cloudkv-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { testStores } from '../../support/stores.ts'
import { SSE, watchSuite } from '../../support/watch.ts'

for (const store of testStores) {
  watchSuite('cloudkv', store, async (env) => {
    const kv = testKvgate([cloudkvDialect], env)
    const { credentials } = await kv.createAccount('cloudkv')
    const auth = { 'api-key': credentials.api_key! }
    const created = await kv.fetch('/cloudkv/buckets', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access=protected',
    })
    const { bucket_id: id } = (await created.json()) as { bucket_id: string }
    return {
      watch: (query, headers = {}) =>
        kv.fetch(`/cloudkv/buckets/${id}/watch?${query}`, { headers: { ...auth, ...headers } }),
      refused: (query) => kv.fetch(`/cloudkv/buckets/${id}/watch?${query}`, { headers: SSE }),
      refusedStatus: 401,
      put: async (key, value) => {
        expect(
          (await kv.fetch(`/cloudkv/kv/${id}/${key}`, { method: 'PUT', body: value, headers: auth })).status,
        ).toBe(200)
      },
      remove: async (key) => {
        expect((await kv.fetch(`/cloudkv/kv/${id}/${key}`, { method: 'DELETE', headers: auth })).status).toBe(
          200,
        )
      },
      close: () => kv.close(),
    }
  })
}
