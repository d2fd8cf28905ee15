// KVdb: a public bucket (no keys), as in the seed's first examples; the counter is PATCH +1.

import type { DialectBench } from './types.ts'
import { pathKey } from './types.ts'

export const kvdb: DialectBench = {
  name: 'kvdb',
  // The per-IP limit (1,000 an hour by default) would turn the load into 429s.
  env: { KVGATE_KVDB_RATE_LIMIT: '0' },
  async open(kvgate) {
    const created = await kvgate.call('/kvdb', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'default_ttl=0',
    })
    const bucket = (await created.text()).trim()
    const base = `/kvdb/${bucket}`
    return {
      namespace: bucket,
      front: {
        getKey: (key) => ({ method: 'GET', path: `${base}/${pathKey(key)}` }),
        putKey: (key, value) => ({ method: 'PUT', path: `${base}/${pathKey(key)}`, body: value }),
        increment: (key) => ({ method: 'PATCH', path: `${base}/${pathKey(key)}`, body: '+1' }),
        listPrefix: (prefix) => ({
          method: 'GET',
          path: `${base}/?prefix=${encodeURIComponent(prefix)}&limit=100&format=json`,
        }),
      },
    }
  },
}
