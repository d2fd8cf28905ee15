// Migration from Cloudflare Workers KV (API v4): GET .../keys pages with their cursor (names, expiry
// and metadata), then GET .../values/{key} for the bytes. The kvgate namespace keeps the source's id
// and title, under the given or created kvgate account.

import { utf8 } from '../engine/bytes.ts'
import { accountFor, ensureNamespace, required } from './destination.ts'
import { encodeKey, SourceError } from './http.ts'
import type { SourceModule } from './source.ts'

const PAGE = 1000

export const workersKvSource: SourceModule = {
  dialect: 'workers-kv',
  defaultBaseUrl: 'https://api.cloudflare.com/client/v4',
  flags: {
    'account-id': 'the Cloudflare account id',
    'namespace-id': 'the namespace to copy',
    'api-token': 'an API token that reads it (Workers KV Storage: Read)',
  },
  open(options, http) {
    const account = required(options, 'account-id')
    const namespace = required(options, 'namespace-id')
    const client = http({ authorization: `Bearer ${required(options, 'api-token')}` })
    const base = `/accounts/${encodeURIComponent(account)}/storage/kv/namespaces/${encodeURIComponent(namespace)}`
    return {
      container: namespace,
      total: async () => null,
      async page(cursor) {
        const query = new URLSearchParams({ limit: String(PAGE) })
        if (cursor) query.set('cursor', cursor)
        const answer = (await (await client.ok(`${base}/keys?${query}`)).json()) as {
          result: { name: string; expiration?: number; metadata?: unknown }[]
          result_info?: { cursor?: string }
        }
        const next = answer.result_info?.cursor
        return {
          keys: answer.result.map((item) => ({
            key: utf8(item.name),
            expiresAt: item.expiration ? item.expiration * 1000 : null,
            metadata: item.metadata === undefined ? null : JSON.stringify(item.metadata),
          })),
          next: next && answer.result.length > 0 ? next : null,
        }
      },
      async read(listed) {
        const response = await client.request(`${base}/values/${encodeKey(listed.key)}`)
        if (response.status === 404) return null
        if (!response.ok)
          throw new SourceError(`reading a value answered ${response.status}: ${await response.text()}`)
        const expiration = response.headers.get('expiration')
        const bytes = new Uint8Array(await response.arrayBuffer())
        return {
          type: 'entry',
          key: listed.key,
          value: { bytes, metadata: listed.metadata ?? null },
          expiresAt: expiration ? Number(expiration) * 1000 : (listed.expiresAt ?? null),
        }
      },
      async destination(context) {
        const { result } = (await (await client.ok(base)).json()) as {
          result: { title: string; jurisdiction?: string }
        }
        const owner = await accountFor(context, 'workers-kv', `migrated from Workers KV account ${account}`)
        await ensureNamespace(context.engine, {
          dialect: 'workers-kv',
          id: namespace,
          owner: owner.accountId,
          title: result.title,
          settings: result.jurisdiction ? { jurisdiction: result.jurisdiction } : {},
        })
        return { namespace, ...owner }
      },
    }
  },
}
