// The engine conformance suite on Redis (REDIS_URL, else the Redis on 127.0.0.1:6379), under a
// key prefix of its own that is removed afterwards: the Redis may be shared.

import { afterAll, describe, expect, test } from 'bun:test'
import { Redis } from 'ioredis'
import { loadConfig } from '../../core/config.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { openBackend } from '../../core/engine/store.ts'
import {
  dropPrefix,
  nearCacheLive,
  privateRedis,
  redisServerInstalled,
  redisUrl,
  requireRedis,
  testPrefix,
} from '../support/redis.ts'
import { changeLogConformance } from './change-log.ts'
import { engineConformance } from './conformance.ts'

const url = redisUrl()
const prefix = testPrefix()

const reachable = await requireRedis('redis', url)
if (reachable) {
  engineConformance('redis', { backend: () => new RedisBackend({ url, prefix }) })
  changeLogConformance('redis', {
    backend: (changeLog) => new RedisBackend({ url, prefix, changeLog }),
    shared: true,
  })
  engineConformance('redis with a near cache', {
    backend: async () => {
      const backend = new RedisBackend({ url, prefix, nearCacheBytes: 1 << 20 })
      await nearCacheLive(backend)
      return backend
    },
  })
  afterAll(() => dropPrefix({ url }, prefix))
}

describe('choosing and reaching Redis', () => {
  test('REDIS_URL, REDIS_CLUSTER_NODES and KVGATE_REDIS_PREFIX pick the backend and its key prefix', () => {
    const load = (env: Record<string, string>) => loadConfig({ env, argv: [], dialects: [] })
    const store = load({ REDIS_URL: 'rediss://:pw@redis.example:6380/4', KVGATE_REDIS_PREFIX: 'app1:' }).store
    expect(store).toEqual({ type: 'redis', url: 'rediss://:pw@redis.example:6380/4', prefix: 'app1:' })
    expect(load({ REDIS_URL: 'redis://x', KVGATE_REDIS_NEAR_CACHE_BYTES: '0' }).store).toEqual({
      type: 'redis',
      url: 'redis://x',
      nearCacheBytes: 0,
    })
    expect(() => load({ REDIS_URL: 'redis://x', KVGATE_REDIS_NEAR_CACHE_BYTES: 'lots' })).toThrow(
      'KVGATE_REDIS_NEAR_CACHE_BYTES',
    )
    expect(() => load({ REDIS_URL: 'redis://x', KVGATE_REDIS_PREFIX: 'a{b}' })).toThrow(
      'KVGATE_REDIS_PREFIX: must not contain braces or spaces',
    )
    const single = openBackend({ type: 'redis', url: 'redis://127.0.0.1:1' }, { timeoutMs: 100 })
    const cluster = openBackend({ type: 'redis-cluster', nodes: ['127.0.0.1:1'] }, { timeoutMs: 100 })
    expect([single.name, cluster.name]).toEqual(['redis', 'redis-cluster'])
    return Promise.all([single.close(), cluster.close()])
  })

  test.skipIf(!redisServerInstalled())(
    'a password and a db index in the URL are used; a wrong password is "unavailable"',
    async () => {
      const redis = privateRedis(['--requirepass', 'sekret'])
      await redis.start()
      const url = `redis://:sekret@127.0.0.1:${redis.port}/3`
      const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
      const wrong = new Engine(new RedisBackend({ url: `redis://:nope@127.0.0.1:${redis.port}/3`, prefix }), {
        sweepIntervalMs: 0,
      })
      try {
        await engine.put('ns', utf8('k'), { bytes: utf8('v') })
        const raw = new Redis(url)
        expect(await raw.exists(`${prefix}{ns}:e:k`)).toBe(1)
        await raw.select(0)
        expect(await raw.exists(`${prefix}{ns}:e:k`)).toBe(0)
        raw.disconnect()
        const error = await wrong.get('ns', utf8('k')).catch((caught) => caught)
        expect(error.code).toBe('unavailable')
      } finally {
        await engine.close()
        await wrong.close()
        await redis.remove()
      }
    },
  )
})

test.skipIf(!reachable)('a namespace name with braces cannot reach into another namespace', async () => {
  const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
  try {
    await engine.put('a', utf8('k'), { bytes: utf8('in a') })
    await engine.put('a}:e:k', utf8('x'), { bytes: utf8('elsewhere') })
    await engine.put('{a}', utf8('k'), { bytes: utf8('braced') })
    expect(new TextDecoder().decode((await engine.get('a', utf8('k')))!.value)).toBe('in a')
    expect((await engine.scan('a', { limit: 10 })).entries.length).toBe(1)
    expect(new TextDecoder().decode((await engine.get('{a}', utf8('k')))!.value)).toBe('braced')
  } finally {
    await engine.close()
  }
})

test.skipIf(!reachable)(
  'a namespace is dropped in bounded batches, keys and lists alike, leaving no key behind',
  async () => {
    const backend = new RedisBackend({ url, prefix })
    const raw = new Redis(url)
    try {
      const value = { bytes: utf8('v'), kind: 'bytes' as const, contentType: null, metadata: null }
      const ops = Array.from({ length: 2500 }, (_, i) => ({
        type: 'put' as const,
        key: utf8(`k${i}`),
        value: { ...value, expiresAt: i % 2 ? Date.now() + 60_000 : null },
      }))
      await backend.batch('doomed', ops, Date.now())
      for (let i = 0; i < 5; i++)
        await backend.listWrite('doomed', utf8(`l${i}`), [{ canon: '1', text: '1' }], 10)
      const keysLeft = async () => (await raw.keys(`${prefix}{doomed}*`)).length
      const calls: boolean[] = []
      let before = await keysLeft()
      for (;;) {
        const done = await backend.dropNamespace('doomed', 1000)
        calls.push(done)
        const after = await keysLeft()
        expect(before - after).toBeLessThanOrEqual(1000 + 4)
        before = after
        if (done) break
      }
      expect(calls).toEqual([false, false, true])
      expect(await keysLeft()).toBe(0)
    } finally {
      raw.disconnect()
      await backend.close()
    }
  },
)

test.skipIf(!reachable)(
  'a scan reads content type and metadata back exactly, whatever they hold',
  async () => {
    const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
    try {
      const metadata = '{"é":"ünïcødé, commas, colons: and 🚀"}'
      await engine.put('scanned', utf8('a'), {
        bytes: utf8('1'),
        contentType: 'text/plain; charset=ü',
        metadata,
      })
      await engine.put('scanned', utf8('b'), { bytes: utf8('2'), contentType: '', metadata: '' })
      await engine.put('scanned', utf8('c'), { bytes: utf8('3') }, { ttlMs: 60_000 })
      const { entries } = await engine.scan('scanned', { limit: 10, withValues: true })
      expect(
        entries.map(({ contentType, metadata, value }) => [
          contentType,
          metadata,
          value && new TextDecoder().decode(value),
        ]),
      ).toEqual([
        ['text/plain; charset=ü', metadata, '1'],
        ['', '', '2'],
        [null, null, '3'],
      ])
      expect(entries[2]!.expiresAt).toBeGreaterThan(Date.now())
      for (const entry of entries) {
        const { value: _, ...info } = (await engine.get('scanned', entry.key))!
        const { value: __, ...scanned } = entry
        expect(scanned).toEqual(info)
      }
    } finally {
      await engine.close()
    }
  },
)

test.skipIf(!reachable)('increments are exact on both sides of the 15-digit fast path', async () => {
  const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
  try {
    const n = utf8('n')
    await engine.put('counted', n, { bytes: utf8('999999999999998'), kind: 'int' })
    expect((await engine.increment('counted', n, 1n)).value).toBe(999_999_999_999_999n)
    expect((await engine.increment('counted', n, 1n)).value).toBe(1_000_000_000_000_000n)
    expect((await engine.increment('counted', n, 9_007_199_254_740_993n)).value).toBe(10_007_199_254_740_993n)
    expect((await engine.increment('counted', n, -10_007_199_254_740_993n)).value).toBe(0n)
    expect((await engine.increment('counted', n, -999_999_999_999_999n)).value).toBe(-999_999_999_999_999n)
    const entry = await engine.get('counted', n)
    expect([new TextDecoder().decode(entry!.value), entry!.kind]).toEqual(['-999999999999999', 'int'])
  } finally {
    await engine.close()
  }
})

test.skipIf(!reachable)(
  'a namespace changed by another process is seen at once, though parsed once',
  async () => {
    const writer = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
    const reader = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
    const created = await writer.namespaces.create({ dialect: 'test', settings: { n: 1 } })
    expect((await reader.namespaces.get(created.id))?.settings).toEqual({ n: 1 })
    await writer.namespaces.update(created.id, { settings: { n: 2 } })
    expect((await reader.namespaces.get(created.id))?.settings).toEqual({ n: 2 })
    await writer.namespaces.delete(created.id)
    expect(await reader.namespaces.get(created.id)).toBeNull()
    await writer.close()
    await reader.close()
  },
)

test.skipIf(!reachable)(
  'a put over an entry rewrites its hash in place: fields and native expiry the new value lacks go',
  async () => {
    const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
    const raw = new Redis(url)
    try {
      const key = `${prefix}{rewritten}:e:k`
      await engine.put(
        'rewritten',
        utf8('k'),
        { bytes: utf8('1'), contentType: 'text/plain', metadata: '{}' },
        { ttlMs: 60_000 },
      )
      expect(Object.keys(await raw.hgetall(key)).sort()).toEqual(['c', 'k', 'm', 'n', 'u', 'v', 'x'])
      expect(await raw.pttl(key)).toBeGreaterThan(0)
      await engine.put('rewritten', utf8('k'), { bytes: utf8('2') })
      expect(Object.keys(await raw.hgetall(key)).sort()).toEqual(['k', 'n', 'u', 'v'])
      expect(await raw.pttl(key)).toBe(-1)
      await engine.put('rewritten', utf8('k'), { bytes: utf8('3'), metadata: '{"a":1}' }, { ttlMs: 60_000 })
      expect(await raw.hget(key, 'm')).toBe('{"a":1}')
      expect(await raw.pttl(key)).toBeGreaterThan(0)
      await engine.increment('rewritten', utf8('n'), 1n)
      await engine.put('rewritten', utf8('k'), { bytes: utf8('4') }, { ttlMs: 60_000 })
      expect(Object.keys(await raw.hgetall(key)).sort()).toEqual(['k', 'n', 'u', 'v', 'x'])
    } finally {
      raw.disconnect()
      await engine.close()
    }
  },
)

test.skipIf(!redisServerInstalled())(
  'scripts run by their SHA1 are sent whole again once Redis has lost its script cache',
  async () => {
    const redis = privateRedis()
    await redis.start()
    const engine = new Engine(new RedisBackend({ url: redis.url, prefix }), { sweepIntervalMs: 0 })
    const raw = new Redis(redis.url)
    try {
      await engine.put('flushed', utf8('k'), { bytes: utf8('1') })
      await raw.script('FLUSH')
      await engine.put('flushed', utf8('k'), { bytes: utf8('2') })
      expect(fromUtf8((await engine.get('flushed', utf8('k')))!.value)).toBe('2')
      await raw.script('FLUSH')
      expect((await engine.scan('flushed', { limit: 10 })).entries.length).toBe(1)
      const stats = await raw.info('commandstats')
      expect(stats).toContain('cmdstat_eval:')
      expect(stats).toContain('cmdstat_evalsha:')
    } finally {
      raw.disconnect()
      await engine.close()
      await redis.remove()
    }
  },
)

// The key layout (keys.ts, common.lua) is persisted: kvgate processes of two versions may share one
// Redis during an upgrade, and a restart must read what the last version wrote.
test.skipIf(!reachable)('entries, indexes and lists are stored in the documented key layout', async () => {
  const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
  const raw = new Redis(url)
  try {
    const now = Date.now()
    const base = `${prefix}{layout}`
    const { version, expiresAt } = await engine.put(
      'layout',
      utf8('k'),
      { bytes: utf8('v'), kind: 'text', contentType: 'text/plain', metadata: '{"a":1}' },
      { ttlMs: 60_000 },
    )
    const fields = await raw.hgetall(`${base}:e:k`)
    expect(fields).toEqual({
      v: 'v',
      k: '1',
      c: 'text/plain',
      m: '{"a":1}',
      n: String(version),
      u: expect.stringMatching(/^\d+$/),
      x: String(expiresAt),
    })
    const updated = fields.u!
    expect(Number(updated)).toBeGreaterThanOrEqual(now)
    expect(await raw.hget(`${base}:m`, 'k')).toBe(
      `1,${version},${updated},${expiresAt},10,7:text/plain{"a":1}`,
    )
    expect(await raw.zrange(`${base}:i`, '0', '-1')).toEqual(['k'])
    expect(await raw.zscore(`${base}:x`, 'k')).toBe(String(expiresAt))
    expect(await raw.get(`${base}:v`)).toBe(String(version))
    expect(await raw.sismember(`${prefix}expiring`, 'layout')).toBe(1)

    const plain = await engine.put('layout', utf8('p'), { bytes: utf8('1.5'), kind: 'float' })
    expect(await raw.hget(`${base}:m`, 'p')).toBe(
      `4,${plain.version},${await raw.hget(`${base}:e:p`, 'u')},,-1,-1:`,
    )
    expect(await raw.hmget(`${base}:e:p`, 'k', 'c', 'm', 'x')).toEqual(['4', null, null, null])

    await engine.listWrite('layout', utf8('l'), ['"b"', '1'])
    expect(await raw.zrange(`${base}:l`, '0', '-1')).toEqual(['l'])
    // Elements by their canonical form (canonical-json.ts), scored by position, with the text first sent.
    expect(await raw.zrange(`${base}:li:l`, '0', '-1', 'WITHSCORES')).toEqual(['s"b"', '0', 'n1e1', '1'])
    expect(await raw.hgetall(`${base}:lt:l`)).toEqual({ 's"b"': '"b"', n1e1: '1' })
  } finally {
    raw.disconnect()
    await engine.close()
  }
})
