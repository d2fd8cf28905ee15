// Migration from RocketStack: GET /kv/items pages with their cursor (keys and expiry), then GET
// /kv/items/{key} for each value's JSON text, kept as it is. An account is a kvgate account with its
// own namespace: an existing one (--account) or a new one (--create-account), printed once.

import { utf8 } from '../engine/bytes.ts'
import { memberTexts } from '../http/json-text.ts'
import { accountFor, fingerprint, required } from './destination.ts'
import { encodeKey, SourceError } from './http.ts'
import type { SourceModule } from './source.ts'

const PAGE = 1000

export const rocketstackSource: SourceModule = {
  dialect: 'rocketstack',
  defaultBaseUrl: 'https://api.rocketstack.dev',
  flags: { 'api-key': 'the API key of the account to copy' },
  open(options, http) {
    const apiKey = required(options, 'api-key')
    const client = http({ authorization: `Bearer ${apiKey}` })
    return {
      // The account is known only by its key: a fingerprint of it tells two migrations apart.
      container: `account-${fingerprint(apiKey)}`,
      total: async () => null,
      async page(cursor) {
        const query = new URLSearchParams({ limit: String(PAGE) })
        if (cursor) query.set('cursor', cursor)
        const { data } = (await (await client.ok(`/kv/items?${query}`)).json()) as {
          data: { items: { key: string; expiresAt: string | null }[]; cursor: string | null }
        }
        return {
          keys: data.items.map((item) => ({
            key: utf8(item.key),
            expiresAt: item.expiresAt ? Date.parse(item.expiresAt) : null,
          })),
          next: data.cursor,
        }
      },
      async read(listed) {
        const response = await client.request(`/kv/items/${encodeKey(listed.key)}`)
        if (response.status === 404) return null
        const text = await response.text()
        if (!response.ok)
          throw new SourceError(`reading an item answered ${response.status}: ${text.slice(0, 200)}`)
        const item = memberTexts(memberTexts(text).get('data')!)
        const expiresAt = JSON.parse(item.get('expiresAt') ?? 'null') as string | null
        return {
          type: 'entry',
          key: listed.key,
          value: { bytes: utf8(item.get('value')!), kind: 'json', contentType: 'application/json' },
          expiresAt: expiresAt ? Date.parse(expiresAt) : null,
        }
      },
      async destination(context) {
        const owner = await accountFor(context, 'rocketstack', 'migrated from RocketStack')
        return { namespace: owner.accountId!, ...owner }
      },
    }
  },
}
