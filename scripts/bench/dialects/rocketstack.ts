// RocketStack: an account from the admin API (one account, one namespace), JSON item envelopes.

import type { DialectBench } from './types.ts'
import { pathKey } from './types.ts'

export const rocketstack: DialectBench = {
  name: 'rocketstack',
  async open(kvgate) {
    const account = await kvgate.createAccount('rocketstack')
    const auth = { authorization: `Bearer ${account.credentials.api_key}` }
    return {
      namespace: account.account_id,
      front: {
        getKey: (key) => ({ method: 'GET', path: `/rocketstack/kv/items/${pathKey(key)}`, headers: auth }),
        putKey: (key, value) => ({
          method: 'PUT',
          path: `/rocketstack/kv/items/${pathKey(key)}`,
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ value }),
        }),
        listPrefix: (prefix) => ({
          method: 'GET',
          path: `/rocketstack/kv/items?prefix=${encodeURIComponent(prefix)}&limit=100`,
          headers: auth,
        }),
      },
    }
  },
}
