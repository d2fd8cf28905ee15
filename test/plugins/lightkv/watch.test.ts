// LightKV's watch feed (GET /watch, the app named by its token): the shared suite on every store.

import { expect } from 'bun:test'
import { lightkvDialect } from '../../../plugins/lightkv-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { testStores } from '../../support/stores.ts'
import { SSE, watchSuite } from '../../support/watch.ts'

for (const store of testStores) {
  watchSuite('lightkv', store, async (env) => {
    const kv = testKvgate([lightkvDialect], env)
    const { credentials } = await kv.createAccount('lightkv')
    const read = { authorization: `Bearer ${credentials.read_token}` }
    const write = { authorization: `Bearer ${credentials.readwrite_token}` }
    return {
      watch: (query, headers = {}) =>
        kv.fetch(`/lightkv/watch?${query}`, { headers: { ...read, ...headers } }),
      refused: (query) => kv.fetch(`/lightkv/watch?${query}`, { headers: SSE }),
      refusedStatus: 401,
      put: async (key, value) => {
        const body = JSON.stringify({ key, value })
        expect((await kv.fetch('/lightkv/item/write', { method: 'POST', body, headers: write })).status).toBe(
          200,
        )
      },
      remove: async (key) => {
        const path = `/lightkv/item/delete?key=${encodeURIComponent(key)}`
        expect((await kv.fetch(path, { method: 'DELETE', headers: write })).status).toBe(200)
      },
      close: () => kv.close(),
    }
  })
}
