// The "hosted services" of the migration tests: a kvgate per dialect, filled through that dialect's
// API with keys that have binary values, metadata and TTLs where the dialect has them, and a small
// proxy in front of it that answers a burst of 429s with Retry-After.

import type { TestKvgate } from '../support/kvgate.ts'

export const KEYS = Number(process.env.KVGATE_MIGRATE_KEYS || 500)

export interface Seeded {
  /** The source's container as a namespace of the source kvgate. */
  namespace: string
  /** The migrate flags naming the container and its credentials. */
  args: string[]
  /** Reads one key through the dialect with the given credentials (source's, or the created account's). */
  read(
    kvgate: TestKvgate,
    credentials: Record<string, string> | null,
    accountId: string | null,
  ): Promise<string>
}

const random = (length: number) => crypto.getRandomValues(new Uint8Array(length))
const hexOf = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))

async function expectOk(response: Promise<Response>, what: string): Promise<Response> {
  const answer = await response
  if (!answer.ok) throw new Error(`${what}: ${answer.status} ${await answer.text()}`)
  return answer
}

/** The answer's bytes as hex (binary values compare exactly), or its text. */
async function body(response: Response): Promise<string> {
  if (!response.ok) return `status ${response.status}: ${await response.text()}`
  return hexOf(new Uint8Array(await response.arrayBuffer()))
}

export const seeders: Record<string, (source: TestKvgate) => Promise<Seeded>> = {
  async kvdb(source) {
    const secret = 'bucket-secret-key-0123'
    const created = await expectOk(
      source.fetch('/kvdb', {
        method: 'POST',
        body: new URLSearchParams({ secret_key: secret, default_ttl: '0' }),
      }),
      'create bucket',
    )
    const bucket = (await created.text()).trim()
    const auth = { authorization: `Bearer ${secret}` }
    const write = (path: string, bodyInit: BodyInit, type?: string) =>
      expectOk(
        source.fetch(`/kvdb/${bucket}/${path}`, {
          method: 'POST',
          headers: { ...auth, ...(type ? { 'content-type': type } : {}) },
          body: bodyInit,
        }),
        `kvdb set ${path}`,
      )
    for (let i = 0; i < KEYS; i++) {
      const key = `k${String(i).padStart(6, '0')}`
      if (i % 4 === 0) await write(key, random(8 + (i % 56)), 'application/octet-stream')
      else if (i % 4 === 1) await write(key, JSON.stringify({ i, tags: ['a', 'b'] }), 'application/json')
      else if (i % 4 === 2) await write(key, String(i * 7))
      else await write(key, `text value ${i}`)
    }
    await write('bin%FF%00key', random(32))
    await write('dir/file.txt', 'a key like a path')
    return {
      namespace: bucket,
      args: ['--bucket', bucket, '--secret-key', secret],
      read: async (kvgate) => body(await kvgate.fetch(`/kvdb/${bucket}/bin%FF%00key`, { headers: auth })),
    }
  },

  async 'workers-kv'(source) {
    const account = await source.createAccount('workers-kv')
    const token = account.credentials.api_token!
    const auth = { authorization: `Bearer ${token}` }
    const base = `/client/v4/accounts/${account.account_id}/storage/kv/namespaces`
    const created = await expectOk(
      source.fetch(base, { method: 'POST', headers: auth, body: JSON.stringify({ title: 'to migrate' }) }),
      'create namespace',
    )
    const namespace = ((await created.json()) as { result: { id: string } }).result.id
    const items = Array.from({ length: KEYS }, (_, i) => ({
      key: `key/${String(i).padStart(6, '0')}`,
      value: base64(random(4 + (i % 60))),
      base64: true,
      ...(i % 3 === 0 ? { metadata: { i, label: `item ${i}` } } : {}),
      ...(i % 2 === 0 ? { expiration_ttl: 3600 + i } : {}),
    }))
    for (let start = 0; start < items.length; start += 5000) {
      await expectOk(
        source.fetch(`${base}/${namespace}/bulk`, {
          method: 'PUT',
          headers: auth,
          body: JSON.stringify(items.slice(start, start + 5000)),
        }),
        'bulk write',
      )
    }
    return {
      namespace,
      args: ['--account-id', account.account_id, '--namespace-id', namespace, '--api-token', token],
      read: async (kvgate, credentials, accountId) =>
        body(
          await kvgate.fetch(
            `/client/v4/accounts/${accountId ?? account.account_id}/storage/kv/namespaces/${namespace}/values/key%2F000000`,
            { headers: { authorization: `Bearer ${credentials?.api_token ?? token}` } },
          ),
        ),
    }
  },

  async cloudkv(source) {
    const account = await source.createAccount('cloudkv')
    const apiKey = account.credentials.api_key!
    const created = await expectOk(
      source.fetch('/cloudkv/buckets', {
        method: 'POST',
        headers: { 'api-key': apiKey },
        body: new URLSearchParams({ access: 'protected', comment: 'to migrate' }),
      }),
      'create bucket',
    )
    const bucket = ((await created.json()) as { bucket_id: string }).bucket_id
    // Prefix find answers at most 1,000 names: more keys than that make migrate walk by prefix.
    for (let i = 0; i < Math.max(KEYS, 2500); i++) {
      const key = `k${String(i).padStart(6, '0')}`
      const ttl = i % 2 === 0 ? `?ttl=${1 + (i % 5)}h` : ''
      const headers: Record<string, string> = { 'api-key': apiKey }
      if (i % 3 === 1) headers['content-type'] = 'text/plain'
      await expectOk(
        source.fetch(`/cloudkv/kv/${bucket}/${key}${ttl}`, {
          method: 'PUT',
          headers,
          body: i % 3 === 1 ? `text ${i}` : random(4 + (i % 60)),
        }),
        `cloudkv set ${key}`,
      )
    }
    return {
      namespace: bucket,
      args: ['--bucket', bucket, '--api-key', apiKey],
      read: async (kvgate, credentials) =>
        body(
          await kvgate.fetch(`/cloudkv/kv/${bucket}/k000000`, {
            headers: { 'api-key': credentials?.api_key ?? apiKey },
          }),
        ),
    }
  },

  async lightkv(source) {
    const account = await source.createAccount('lightkv')
    const auth = { authorization: `Bearer ${account.credentials.readwrite_token}` }
    const values = (i: number) => [`"text ${i}"`, `${i}.50`, 'true', 'null', '12345678901234567890'][i % 5]
    for (let i = 0; i < KEYS; i++) {
      await expectOk(
        source.fetch('/lightkv/item/write', {
          method: 'POST',
          headers: auth,
          body: `{"key": "item:${String(i).padStart(6, '0')}", "value": ${values(i)}}`,
        }),
        'lightkv item write',
      )
    }
    for (let i = 0; i < Math.max(2, KEYS / 50); i++) {
      await expectOk(
        source.fetch('/lightkv/list/write', {
          method: 'POST',
          headers: auth,
          body: `{"key": "list:${i}", "values": ["alice", 1.50, ${i}, true, null]}`,
        }),
        'lightkv list write',
      )
    }
    return {
      namespace: account.account_id,
      args: ['--token', account.credentials.read_token!, '--app', 'shop'],
      read: async (kvgate, credentials) => {
        const headers = {
          authorization: `Bearer ${credentials?.read_token ?? account.credentials.read_token}`,
        }
        const item = await (await kvgate.fetch('/lightkv/item/read?key=item:000001', { headers })).text()
        const list = await (await kvgate.fetch('/lightkv/list/read?key=list:1', { headers })).text()
        return `${item} ${list}`
      },
    }
  },

  async rocketstack(source) {
    const account = await source.createAccount('rocketstack')
    const auth = { authorization: `Bearer ${account.credentials.api_key}` }
    for (let i = 0; i < KEYS; i++) {
      const ttl = i % 2 === 0 ? `, "ttlSeconds": ${3600 + i}` : ''
      await expectOk(
        source.fetch(`/rocketstack/kv/items/item-${String(i).padStart(6, '0')}`, {
          method: 'PUT',
          headers: auth,
          body: `{"value": {"i": ${i}, "big": 12345678901234567890, "price": 9001.50, "tags": ["x"]}${ttl}}`,
        }),
        'rocketstack put',
      )
    }
    return {
      namespace: account.account_id,
      args: ['--api-key', account.credentials.api_key!],
      read: async (kvgate, credentials) => {
        const answer = await kvgate.fetch('/rocketstack/kv/items/item-000001', {
          headers: { authorization: `Bearer ${credentials?.api_key ?? account.credentials.api_key}` },
        })
        // The version is the store's own: the rest must be the same.
        return (await answer.text()).replace(/"version":"\d+"/, '')
      },
    }
  },
}

export interface ThrottlingProxy {
  url: string
  /** 429s answered; requests passed on; of those, the ones without a query string (reads of one key, for most dialects). */
  stats: { throttled: number; forwarded: number; plain: number }
  /** Calls `handler` once `count` requests have been passed on. */
  after(count: number, handler: () => void): void
  stop(): void
}

/** Passes requests on to `target`; from the `burstAt`-th on, answers 429 (Retry-After: 1) for one second. */
export function throttlingProxy(target: string, burstAt: number): ThrottlingProxy {
  const stats = { throttled: 0, forwarded: 0, plain: 0 }
  let seen = 0
  let burstUntil = 0
  const waiting: { count: number; handler: () => void }[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      seen++
      if (seen === burstAt) burstUntil = Date.now() + 1000
      if (Date.now() < burstUntil) {
        stats.throttled++
        return new Response('Too Many Requests', { status: 429, headers: { 'retry-after': '1' } })
      }
      const url = new URL(request.url)
      const headers = new Headers(request.headers)
      headers.delete('host')
      const answer = await fetch(`${target}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      })
      stats.forwarded++
      if (url.search === '') stats.plain++
      for (const each of waiting.filter((w) => w.count === stats.forwarded)) each.handler()
      return answer
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    stats,
    after: (count, handler) => waiting.push({ count, handler }),
    stop: () => server.stop(true),
  }
}
