// The seed document (seeds/rocketstack.txt) and the contract's client example, line by line.

import { expect, test } from 'bun:test'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { describeEachStore } from '../../support/stores.ts'
import { MOUNTS, rocketstackSetup } from './client.ts'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describeEachStoreAndMount('RocketStack seed document', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('quickstart: set, get and delete user-123-prefs', async () => {
    const { client } = await open()
    const set = await client.put('user-123-prefs', { value: { theme: 'dark', notifications: true } })
    expect(set.status).toBe(200)
    expect(set.json.data).toMatchObject({
      key: 'user-123-prefs',
      value: { theme: 'dark', notifications: true },
      expiresAt: null,
    })
    expect(set.json.data.version).toBeString()
    expect(set.headers.get('etag')).toBe(`"${set.json.data.version}"`)
    expect(set.headers.get('content-type')).toStartWith('application/json')

    const got = await client.get('user-123-prefs')
    expect(got.status).toBe(200)
    expect(got.json).toEqual({
      data: {
        key: 'user-123-prefs',
        value: { theme: 'dark', notifications: true },
        version: set.json.data.version,
        expiresAt: null,
      },
    })
    expect(got.headers.get('etag')).toBe(`"${set.json.data.version}"`)

    const deleted = await client.delete('user-123-prefs')
    expect(deleted.status).toBe(200)
    expect(deleted.json).toEqual({ data: { key: 'user-123-prefs', deleted: true } })
    // "Key is removed immediately"
    const gone = await client.get('user-123-prefs')
    expect(gone.status).toBe(404)
    expect(gone.json).toEqual({ error: { code: 'NOT_FOUND', message: "Key 'user-123-prefs' not found" } })
  })

  test('TTL: session-abc123 with a one-hour TTL expires after an hour', async () => {
    // A fixed time in the future, so no store's own expiry can act before the manual clock does.
    const clock = new ManualClock(Date.UTC(2036, 10, 23, 4, 0, 0))
    const { client } = await open({}, { clock })
    const set = await client.put('session-abc123', {
      value: { userId: 'usr_456', authenticated: true },
      ttlSeconds: 3600,
    })
    expect(set.status).toBe(200)
    expect(set.json.data.expiresAt).toBe('2036-11-23T05:00:00.000Z')
    expect(set.json.data.expiresAt).toMatch(ISO)
    clock.advance(3599_999)
    const live = await client.get('session-abc123')
    expect(live.json.data).toMatchObject({
      value: { userId: 'usr_456', authenticated: true },
      expiresAt: '2036-11-23T05:00:00.000Z',
    })
    clock.advance(1)
    expect((await client.get('session-abc123')).status).toBe(404)
  })

  test('use case: feature flags, read from any service and rolled out gradually', async () => {
    const { kvgate, client } = await open()
    const flags = { 'new-checkout': { enabled: true, rollout: 10 }, 'dark-mode': { enabled: false } }
    expect((await client.put('flags', { value: flags })).status).toBe(200)
    // Another service, with the same API key, sees the same flags.
    const other = await kvgate.fetch('/rocketstack/kv/items/flags', {
      headers: { authorization: `Bearer ${client.apiKey}` },
    })
    expect((await other.json()).data.value).toEqual(flags)
    // Rolling out further without losing a concurrent change: compare-and-swap on the version read.
    const read = await client.get('flags')
    const next = { ...read.json.data.value, 'new-checkout': { enabled: true, rollout: 50 } }
    const rolled = await client.put('flags', { value: next, ifVersion: read.json.data.version })
    expect(rolled.status).toBe(200)
    const stale = await client.put('flags', { value: flags, ifVersion: read.json.data.version })
    expect(stale.status).toBe(409)
    expect((await client.get('flags')).json.data.value['new-checkout'].rollout).toBe(50)
  })

  test('use case: session state with TTL, renewed on each request', async () => {
    // A fixed time in the future, so no store's own expiry can act before the manual clock does.
    const clock = new ManualClock(Date.UTC(2036, 0, 1))
    const { client } = await open({}, { clock })
    const session = { userId: 'usr_456', authenticated: true, cart: ['sku-1'] }
    await client.put('session-xyz', { value: session, ttlSeconds: 1800 })
    clock.advance(1000_000)
    // Each request renews the session by writing it again with a fresh TTL.
    await client.put('session-xyz', { value: { ...session, cart: ['sku-1', 'sku-2'] }, ttlSeconds: 1800 })
    clock.advance(1000_000)
    const live = await client.get('session-xyz')
    expect(live.json.data.value.cart).toEqual(['sku-1', 'sku-2'])
    expect(live.json.data.expiresAt).toBe(new Date(Date.UTC(2036, 0, 1) + 1000_000 + 1800_000).toISOString())
    clock.advance(800_000)
    expect((await client.get('session-xyz')).status).toBe(404)
    // The logout of an expired session still answers 200.
    expect((await client.delete('session-xyz')).status).toBe(200)
  })

  test('use case: config storage, updated once and read from anywhere', async () => {
    const { client } = await open()
    const config = { db: { pool: 10, hosts: ['db1', 'db2'] }, log: 'info', retries: 3 }
    await client.put('config/api', { value: config })
    await client.put('config/worker', { value: { concurrency: 4 } })
    await client.put('config/api', { value: { ...config, log: 'debug' } })
    expect((await client.get('config/api')).json.data.value.log).toBe('debug')
    const listed = await client.list('?prefix=config/')
    expect(listed.json.data.items.map((item: { key: string }) => item.key)).toEqual([
      'config/api',
      'config/worker',
    ])
  })

  test('limits table: 512-byte keys, 1 MB values and 365-day TTLs are accepted', async () => {
    const { client } = await open()
    expect((await client.put('k'.repeat(512), { value: 1 })).status).toBe(200)
    const big = 'x'.repeat(1024 * 1024 - 2) // its JSON text, with quotes, is exactly 1 MiB
    expect((await client.put('big', { value: big })).status).toBe(200)
    expect((await client.get('big')).json.data.value).toBe(big)
    expect((await client.put('year', { value: 1, ttlSeconds: 31_536_000 })).status).toBe(200)
    expect((await client.put('second', { value: 1, ttlSeconds: 1 })).status).toBe(200)
  })
})

// The contract's client as it is written: a base URL and nothing else, so under the default mount
// (the other mounts would need a Host of their own; every other test here runs under all of them).
describeEachStore('RocketStack seed document, through a real port', (store) => {
  const open = rocketstackSetup(store)

  test("the contract's fetch client against a real port: hit, then miss as non-2xx", async () => {
    const { kvgate, client } = await open()
    const server = listenTestKvgate(kvgate)
    try {
      const BASE = `${server.url}/rocketstack`
      const KEY = client.apiKey
      const put = await fetch(`${BASE}/kv/items/session-abc123`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ value: { userId: 'usr_456', authenticated: true }, ttlSeconds: 3600 }),
      })
      expect(put.ok).toBe(true)
      const r = await fetch(`${BASE}/kv/items/session-abc123`, {
        headers: { Authorization: `Bearer ${KEY}` },
      })
      const hit = r.ok ? (await r.json()).data?.value : undefined
      expect(hit).toEqual({ userId: 'usr_456', authenticated: true })
      const miss = await fetch(`${BASE}/kv/items/session-nope`, {
        headers: { Authorization: `Bearer ${KEY}` },
      })
      expect(miss.ok).toBe(false)
      expect((await miss.json()).error.code).toBe('NOT_FOUND')
    } finally {
      await server.stop()
    }
  })
})
