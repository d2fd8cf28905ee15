// LightKV: an app from the admin API; reads with the read token, writes with the read-write token.

import type { DialectBench } from './types.ts'

export const lightkv: DialectBench = {
  name: 'lightkv',
  async open(kvgate) {
    const app = await kvgate.createAccount('lightkv')
    const read = { authorization: `Bearer ${app.credentials.read_token}` }
    const write = {
      authorization: `Bearer ${app.credentials.readwrite_token}`,
      'content-type': 'application/json',
    }
    return {
      namespace: app.account_id,
      front: {
        getKey: (key) => ({
          method: 'GET',
          path: `/lightkv/item/read?key=${encodeURIComponent(key)}`,
          headers: read,
        }),
        putKey: (key, value) => ({
          method: 'POST',
          path: '/lightkv/item/write',
          headers: write,
          body: JSON.stringify({ key, value }),
        }),
        listPrefix: (prefix) => ({
          method: 'GET',
          path: `/lightkv/item/keys?prefix=${encodeURIComponent(prefix)}`,
          headers: read,
        }),
        listAdd: (list, value) => ({
          method: 'POST',
          path: '/lightkv/list/add',
          headers: write,
          body: JSON.stringify({ key: list, values: [value] }),
        }),
      },
    }
  },
}
