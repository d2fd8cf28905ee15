// Workers KV: an operator-issued API token and a namespace made through the v4 API, raw-body writes
// (as wrangler --path sends them).

import type { DialectBench } from './types.ts'
import { pathKey } from './types.ts'

export const workersKv: DialectBench = {
  name: 'workers-kv',
  async open(kvgate) {
    const account = await kvgate.createAccount('workers-kv')
    const auth = { authorization: `Bearer ${account.credentials.api_token}` }
    const namespaces = `/client/v4/accounts/${account.account_id}/storage/kv/namespaces`
    const created = await kvgate.call(namespaces, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'bench' }),
    })
    const { result } = (await created.json()) as { result: { id: string } }
    const base = `${namespaces}/${result.id}`
    return {
      namespace: result.id,
      front: {
        getKey: (key) => ({ method: 'GET', path: `${base}/values/${pathKey(key)}`, headers: auth }),
        putKey: (key, value) => ({
          method: 'PUT',
          path: `${base}/values/${pathKey(key)}`,
          headers: { ...auth, 'content-type': 'application/octet-stream' },
          body: value,
        }),
        listPrefix: (prefix) => ({
          method: 'GET',
          path: `${base}/keys?prefix=${encodeURIComponent(prefix)}&limit=100`,
          headers: auth,
        }),
      },
    }
  },
}
