// Migration from LightKV: /item/keys and /list/keys name every item and list (the API has no paging),
// then /item/read and /list/read give each one's JSON text, kept digit for digit. LightKV shows no
// expiry or metadata. An app is a kvgate account with its own namespace: an existing one (--account)
// or a new one (--create-account), whose tokens are printed once.

import { fromUtf8, utf8 } from '../engine/bytes.ts'
import { elementTexts, memberTexts } from '../http/json-text.ts'
import { accountFor, fingerprint, required } from './destination.ts'
import { SourceError } from './http.ts'
import type { ListedKey, SourceModule } from './source.ts'

/** Keys per page of the runner (the API hands them all at once; the checkpoint counts in these). */
const PAGE = 1000

export const lightkvSource: SourceModule = {
  dialect: 'lightkv',
  defaultBaseUrl: 'https://lightkv.com',
  flags: {
    token: "the app's read_token (or readwrite_token)",
    app: 'a name for the app in messages and the checkpoint (default: app- and a fingerprint of the token)',
  },
  open(options, http) {
    const token = required(options, 'token')
    const client = http({ authorization: `Bearer ${token}` })
    // The app is known only by its token: a fingerprint of it tells two migrations apart.
    const app = typeof options.app === 'string' ? options.app : `app-${fingerprint(token)}`
    let all: Promise<ListedKey[]> | null = null
    const data = async (path: string): Promise<string> => {
      const text = await (await client.ok(path)).text()
      const member = memberTexts(text).get('data')
      if (member === undefined) throw new SourceError(`${path} answered no data: ${text.slice(0, 200)}`)
      return member
    }
    // Items first, then lists, each in byte order: the position in this one sequence is the cursor.
    const keys = () => {
      all ??= Promise.all([data('/item/keys'), data('/list/keys')]).then(([items, lists]) => [
        ...(JSON.parse(items) as string[]).map((key) => ({ key: utf8(key), space: 'item' as const })),
        ...(JSON.parse(lists) as string[]).map((key) => ({ key: utf8(key), space: 'list' as const })),
      ])
      return all
    }
    return {
      container: app,
      total: async () => (await keys()).length,
      async page(cursor) {
        const start = Number(cursor ?? 0)
        const listed = await keys()
        const end = Math.min(start + PAGE, listed.length)
        return { keys: listed.slice(start, end), next: end < listed.length ? String(end) : null }
      },
      async read(listed) {
        const query = `key=${encodeURIComponent(fromUtf8(listed.key))}`
        const path = listed.space === 'list' ? `/list/read?${query}` : `/item/read?${query}`
        const response = await client.request(path)
        if (response.status === 404) return null
        const text = await response.text()
        if (!response.ok) throw new SourceError(`${path} answered ${response.status}: ${text.slice(0, 200)}`)
        const answer = memberTexts(text).get('data')!
        if (listed.space === 'list') return { type: 'list', key: listed.key, elements: elementTexts(answer) }
        const value = memberTexts(answer).get('value')!
        return {
          type: 'entry',
          key: listed.key,
          value: { bytes: utf8(value), kind: 'json', contentType: 'application/json' },
          expiresAt: null,
        }
      },
      async destination(context) {
        const owner = await accountFor(context, 'lightkv', `migrated from LightKV ${app}`)
        // The account is the app: its namespace came with it.
        return { namespace: owner.accountId!, ...owner }
      },
    }
  },
}
