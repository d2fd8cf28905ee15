// CloudKV: a protected bucket, so every request carries and checks the account's api-key.

import type { DialectBench } from './types.ts'
import { pathKey } from './types.ts'

export const cloudkv: DialectBench = {
  name: 'cloudkv',
  async open(kvgate) {
    const account = await kvgate.createAccount('cloudkv')
    const auth = { 'api-key': account.credentials.api_key! }
    const created = await kvgate.call('/cloudkv/buckets', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'access=protected&comment=bench',
    })
    const { bucket_id: bucket } = (await created.json()) as { bucket_id: string }
    const base = `/cloudkv/kv/${bucket}`
    return {
      namespace: bucket,
      front: {
        getKey: (key) => ({ method: 'GET', path: `${base}/${pathKey(key)}`, headers: auth }),
        putKey: (key, value) => ({
          method: 'PUT',
          path: `${base}/${pathKey(key)}`,
          headers: { ...auth, 'content-type': 'text/plain' },
          body: value,
        }),
        listPrefix: (prefix) => ({
          method: 'GET',
          path: `${base}?prefix=${encodeURIComponent(prefix)}`,
          headers: auth,
        }),
      },
    }
  },
}
