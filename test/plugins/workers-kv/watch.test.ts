// Workers KV's watch feed (GET .../storage/kv/namespaces/{id}/watch): the shared suite on every store.

import { expect } from 'bun:test'
import { workersKvDialect } from '../../../plugins/workers-kv-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { testStores } from '../../support/stores.ts'
import { SSE, watchSuite } from '../../support/watch.ts'

for (const store of testStores) {
  watchSuite('workers-kv', store, async (env) => {
    const kv = testKvgate([workersKvDialect], env)
    const account = await kv.createAccount('workers-kv')
    const auth = { authorization: `Bearer ${account.credentials.api_token}` }
    const base = `/client/v4/accounts/${account.account_id}/storage/kv/namespaces`
    const created = await kv.fetch(base, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'watched' }),
    })
    const { result } = (await created.json()) as { result: { id: string } }
    const ns = `${base}/${result.id}`
    return {
      watch: (query, headers = {}) => kv.fetch(`${ns}/watch?${query}`, { headers: { ...auth, ...headers } }),
      refused: (query) => kv.fetch(`${ns}/watch?${query}`, { headers: SSE }),
      refusedStatus: 401,
      put: async (key, value) => {
        expect(
          (await kv.fetch(`${ns}/values/${key}`, { method: 'PUT', body: value, headers: auth })).status,
        ).toBe(200)
      },
      remove: async (key) => {
        expect((await kv.fetch(`${ns}/values/${key}`, { method: 'DELETE', headers: auth })).status).toBe(200)
      },
      close: () => kv.close(),
    }
  })
}
