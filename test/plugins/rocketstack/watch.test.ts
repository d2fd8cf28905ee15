// RocketStack's watch feed (GET /kv/watch, the account named by its API key): the shared suite.

import { expect } from 'bun:test'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { testStores } from '../../support/stores.ts'
import { SSE, watchSuite } from '../../support/watch.ts'

for (const store of testStores) {
  watchSuite('rocketstack', store, async (env) => {
    const kv = testKvgate([rocketstackDialect], env)
    const { credentials } = await kv.createAccount('rocketstack')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    return {
      watch: (query, headers = {}) =>
        kv.fetch(`/rocketstack/kv/watch?${query}`, { headers: { ...auth, ...headers } }),
      refused: (query) => kv.fetch(`/rocketstack/kv/watch?${query}`, { headers: SSE }),
      refusedStatus: 401,
      put: async (key, value) => {
        const body = JSON.stringify({ value })
        const response = await kv.fetch(`/rocketstack/kv/items/${key}`, {
          method: 'PUT',
          body,
          headers: auth,
        })
        expect(response.status).toBe(200)
      },
      remove: async (key) => {
        expect(
          (await kv.fetch(`/rocketstack/kv/items/${key}`, { method: 'DELETE', headers: auth })).status,
        ).toBe(200)
      },
      close: () => kv.close(),
    }
  })
}
