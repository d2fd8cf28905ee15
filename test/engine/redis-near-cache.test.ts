// The near cache's guarantees (REDIS.md, "Near cache"): two kvgate processes on one Redis and on a
// cluster see each other's writes, deletes, rotations and account deletions within a bound (1 s
// here, so it cannot flake; the bench measures the real delay); a lost invalidation connection
// empties the cache and bypasses it; a process's own write is read back at once; an expired entry is
// never served from it.

import { afterAll, describe, expect, test } from 'bun:test'
import { Redis } from 'ioredis'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { NearCache } from '../../core/engine/redis/near-cache.ts'
import { textEntry } from '../support/entries.ts'
import { ManualClock } from '../support/manual-clock.ts'
import { type KvgateChild, startKvgateChild } from '../support/process.ts'
import {
  clusterNodes,
  clusterStartFailure,
  dropPrefix,
  nearCacheLive,
  privateRedis,
  redisServerInstalled,
  redisUrl,
  requireRedis,
  testPrefix,
} from '../support/redis.ts'

const ADMIN_TOKEN = 'near-cache-admin-token'
const BOUND_MS = 1000

const entryOf = (text: string) => textEntry(utf8('k'), text)

describe('the near cache alone', () => {
  test('an invalidation between a read being sent and its reply keeps the reply out', () => {
    const cache = new NearCache(1 << 20)
    cache.setLive(true)
    const ticket = cache.begin('k')
    cache.invalidate('k')
    cache.fill('k', ticket, entryOf('old'))
    expect(cache.get('k')).toBeUndefined()
    cache.fill('k', cache.begin('k'), entryOf('new'))
    expect(fromUtf8(cache.get('k')!.value)).toBe('new')
  })

  test('losing invalidations empties it and stops it, even for reads already sent', () => {
    const cache = new NearCache(1 << 20)
    cache.setLive(true)
    cache.fill('a', cache.begin('a'), entryOf('a'))
    const ticket = cache.begin('b')
    cache.setLive(false)
    expect(cache.get('a')).toBeUndefined()
    cache.fill('b', ticket, entryOf('b'))
    expect(cache.begin('c')).toBeNull()
    cache.setLive(true)
    cache.fill('b', ticket, entryOf('b'))
    expect([cache.get('a'), cache.get('b'), cache.size]).toEqual([undefined, undefined, 0])
  })

  test('it stays within its bytes, keeping what is read', () => {
    const cache = new NearCache(100_000)
    cache.setLive(true)
    const value = 'x'.repeat(1000)
    cache.fill('hot', cache.begin('hot'), entryOf(value))
    for (let i = 0; i < 1000; i++) {
      cache.get('hot')
      cache.fill(`k${i}`, cache.begin(`k${i}`), entryOf(value))
      expect(cache.usedBytes).toBeLessThanOrEqual(100_000)
    }
    expect(cache.get('hot')).toBeDefined()
    // Larger than a sixteenth of the cache: never kept.
    cache.fill('big', cache.begin('big'), entryOf('y'.repeat(10_000)))
    expect(cache.get('big')).toBeUndefined()
  })
})

const url = redisUrl()
const reachable = await requireRedis('redis', url)

describe.skipIf(!reachable)('the near cache on one Redis, in one process', () => {
  const prefix = testPrefix()
  afterAll(() => dropPrefix({ url }, prefix))

  test('its own write is read back at once, and an expired entry is never served', async () => {
    const clock = new ManualClock()
    const backend = new RedisBackend({ url, prefix, nearCacheBytes: 1 << 20 })
    const engine = new Engine(backend, { clock, sweepIntervalMs: 0 })
    try {
      await nearCacheLive(backend)
      const key = utf8('k')
      for (let i = 0; i < 50; i++) {
        await engine.put('own', key, { bytes: utf8(`v${i}`) }, { ttlMs: 60_000 })
        expect(fromUtf8((await engine.get('own', key))!.value)).toBe(`v${i}`)
        expect(fromUtf8((await engine.get('own', key))!.value)).toBe(`v${i}`)
      }
      expect(backend.near!.size).toBeGreaterThan(0)
      clock.advance(60_000)
      expect(await engine.get('own', key)).toBeNull()
      await engine.increment('own', utf8('n'), 1n)
      expect(fromUtf8((await engine.get('own', utf8('n')))!.value)).toBe('1')
      await engine.increment('own', utf8('n'), 1n)
      expect(fromUtf8((await engine.get('own', utf8('n')))!.value)).toBe('2')
      await engine.batch('own', [{ type: 'put', key: utf8('n'), value: { bytes: utf8('b') } }])
      expect(fromUtf8((await engine.get('own', utf8('n')))!.value)).toBe('b')
      await engine.delete('own', utf8('n'))
      expect(await engine.get('own', utf8('n'))).toBeNull()
    } finally {
      await engine.close()
    }
  })
})

describe.skipIf(!redisServerInstalled())('losing the invalidation connection', () => {
  test('empties the cache and bypasses it: a write made meanwhile is never read stale', async () => {
    // A Redis of its own: CLIENT KILL TYPE pubsub must reach this backend's connection only.
    const redis = privateRedis()
    await redis.start()
    const backend = new RedisBackend({ url: redis.url, prefix: 'p:', nearCacheBytes: 1 << 20 })
    const engine = new Engine(backend, { sweepIntervalMs: 0 })
    const raw = new Redis(redis.url)
    const states: boolean[] = []
    const setLive = backend.near!.setLive.bind(backend.near!)
    backend.near!.setLive = (live) => {
      states.push(live)
      setLive(live)
    }
    try {
      await nearCacheLive(backend)
      const key = utf8('k')
      await engine.put('ns', key, { bytes: utf8('before') })
      for (let i = 0; i < 2; i++) expect(fromUtf8((await engine.get('ns', key))!.value)).toBe('before')
      expect(backend.near!.size).toBe(1)
      states.length = 0
      // The kill and the write in one round trip: the write happens with nobody to tell.
      const replies = await raw
        .pipeline()
        .call('CLIENT', 'KILL', 'TYPE', 'pubsub')
        .hset('p:{ns}:e:k', 'v', 'after')
        .exec()
      expect(replies).toEqual([
        [null, 1],
        [null, 0],
      ])
      const deadline = Date.now() + BOUND_MS
      while (!states.includes(false)) {
        expect(Date.now()).toBeLessThan(deadline)
        await Bun.sleep(1)
      }
      expect(fromUtf8((await engine.get('ns', key))!.value)).toBe('after')
      await nearCacheLive(backend)
      expect(states).toEqual([false, true])
      expect(fromUtf8((await engine.get('ns', key))!.value)).toBe('after')
    } finally {
      raw.disconnect()
      await engine.close()
      await redis.remove()
    }
  }, 30_000)
})

/** Reads until `seen` holds (within the bound), returning how long it took. */
async function within(read: () => Promise<unknown>, seen: (value: unknown) => boolean): Promise<number> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (seen(value)) return Date.now() - started
    if (Date.now() - started > BOUND_MS)
      throw new Error(`not seen within ${BOUND_MS} ms: ${JSON.stringify(value)}`)
  }
}

function twoProcesses(name: string, env: () => Record<string, string> | null) {
  const settings = env()
  describe.skipIf(settings === null)(`two kvgate processes with near caches on ${name}`, () => {
    const children: KvgateChild[] = []
    afterAll(async () => {
      await Promise.all(children.map((child) => child.stop()))
    })

    test('a write, a delete, a rotation and an account deletion through one are seen by the other within 1 s', async () => {
      const started = await Promise.all(
        [0, 1].map(() =>
          startKvgateChild({ ...settings!, KVGATE_ADMIN_TOKEN: ADMIN_TOKEN, KVGATE_LOG: 'silent' }),
        ),
      )
      children.push(...started)
      const [a, b] = started.map((child) => child.url) as [string, string]
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
      const created = await fetch(`${a}/admin/accounts`, {
        method: 'POST',
        headers: bearer(ADMIN_TOKEN),
        body: JSON.stringify({ dialect: 'lightkv', name: 'shared' }),
      })
      const { account_id: id, credentials } = await created.json()
      const write = async (value: string) => {
        const response = await fetch(`${a}/lightkv/item/write`, {
          method: 'POST',
          headers: { ...bearer(credentials.readwrite_token), 'content-type': 'application/json' },
          body: JSON.stringify({ key: 'k', value }),
        })
        expect(response.status).toBe(200)
      }
      const readB = async (token = credentials.read_token) => {
        const response = await fetch(`${b}/lightkv/item/read?key=k`, { headers: bearer(token) })
        return response.status === 200 ? (await response.json()).data.value : response.status
      }

      await write('v0')
      await within(readB, (value) => value === 'v0')
      // Read more than once, so B holds the entry and the records in its cache.
      for (let i = 0; i < 10; i++) expect(await readB()).toBe('v0')
      for (let i = 1; i <= 20; i++) {
        await write(`v${i}`)
        await within(readB, (value) => value === `v${i}`)
      }
      const deleted = await fetch(`${a}/lightkv/item/delete?key=k`, {
        method: 'DELETE',
        headers: bearer(credentials.readwrite_token),
      })
      expect(deleted.status).toBe(200)
      await within(readB, (value) => value === 404)

      await write('again')
      await within(readB, (value) => value === 'again')
      const rotated = await fetch(`${a}/admin/accounts/${id}/rotate`, {
        method: 'POST',
        headers: bearer(ADMIN_TOKEN),
      })
      const fresh = (await rotated.json()).credentials
      await within(
        () => readB(credentials.read_token),
        (value) => value === 401,
      )
      await within(
        () => readB(fresh.read_token),
        (value) => value === 'again',
      )

      const gone = await fetch(`${a}/admin/accounts/${id}`, {
        method: 'DELETE',
        headers: bearer(ADMIN_TOKEN),
      })
      expect(gone.status).toBe(204)
      await within(
        () => readB(fresh.read_token),
        (value) => value === 401,
      )
    }, 60_000)
  })
}

const prefix = testPrefix()
afterAll(async () => {
  if (reachable) await dropPrefix({ url }, prefix)
  const nodes = clusterNodes()
  if (nodes) await dropPrefix({ nodes }, prefix)
})

twoProcesses('one Redis', () => (reachable ? { REDIS_URL: url, KVGATE_REDIS_PREFIX: prefix } : null))
twoProcesses('a Redis Cluster', () => {
  const nodes = clusterNodes()
  if (!nodes) console.warn(`skipping the cluster: ${clusterStartFailure()}`)
  return nodes ? { REDIS_CLUSTER_NODES: nodes.join(','), KVGATE_REDIS_PREFIX: prefix } : null
})
