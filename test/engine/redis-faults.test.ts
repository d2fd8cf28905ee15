// Failure behaviour of the Redis backend: with Redis gone (or answering nothing), every operation
// fails as "unavailable" within the store timeout and nothing hangs or crashes; once Redis is back,
// operations succeed again within seconds, without a restart. Uses a redis-server of its own.

import { afterAll, describe, expect, test } from 'bun:test'
import type { Socket } from 'bun'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { dialects } from '../../plugins/index.ts'
import { echoDialect } from '../support/echo-dialect.ts'
import { type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { privateRedis, redisServerInstalled, startCluster } from '../support/redis.ts'

const TIMEOUT_MS = 300
/** What "within the timeout" allows on a loaded machine. */
const SLACK_MS = 700

const text = (value: string) => ({ bytes: utf8(value) })

/** Every engine operation a request may make, each on its own key. */
const operations = (engine: Engine, ns: string) => [
  () => engine.get(ns, utf8('a')),
  () => engine.put(ns, utf8('a'), text('v')),
  () => engine.put(ns, utf8('a'), text('v'), { ifAbsent: true, ttlMs: 1000 }),
  () => engine.delete(ns, utf8('a')),
  () => engine.increment(ns, utf8('n'), 1n),
  () => engine.scan(ns, { limit: 10 }),
  () => engine.count(ns),
  () => engine.batch(ns, [{ type: 'put', key: utf8('b'), value: text('v') }]),
  () => engine.listAdd(ns, utf8('l'), ['1']),
  () => engine.listRead(ns, utf8('l')),
  () => engine.namespaces.get('whatever'),
  () => engine.ping(),
]

async function failsFast(operation: () => Promise<unknown>): Promise<void> {
  const started = performance.now()
  const error = await operation().then(
    () => null,
    (caught) => caught,
  )
  expect(error?.code).toBe('unavailable')
  expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS)
}

async function recovers(attempt: () => Promise<unknown>, withinMs = 5000): Promise<number> {
  const started = performance.now()
  for (;;) {
    try {
      await attempt()
      return performance.now() - started
    } catch (error) {
      if (performance.now() - started > withinMs) throw error
      await Bun.sleep(50)
    }
  }
}

const closing: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const close of closing) await close()
})

// Skipped (loudly) only outside CI: in CI a missing redis-server fails these tests.
const skip = !redisServerInstalled() && process.env.CI !== 'true'
if (skip) console.warn('\n!!!!! SKIPPING the redis failure tests: redis-server is not installed !!!!!\n')

describe.skipIf(skip)('redis failures', () => {
  test('Redis stopped mid-run: each operation is unavailable within the timeout; back within seconds', async () => {
    const redis = privateRedis()
    closing.push(() => redis.remove())
    await redis.start()
    const engine = new Engine(new RedisBackend({ url: redis.url, timeoutMs: TIMEOUT_MS }), {
      sweepIntervalMs: 0,
    })
    closing.push(() => engine.close())
    await engine.put('ns', utf8('a'), text('before'))

    await redis.stop()
    for (const operation of operations(engine, 'ns')) await failsFast(operation)
    // Many at once, as a busy server would send them.
    await Promise.all(
      operations(engine, 'ns').flatMap((operation) => [1, 2, 3].map(() => failsFast(operation))),
    )

    await redis.start()
    const took = await recovers(() => engine.put('ns', utf8('a'), text('after')))
    expect(took).toBeLessThan(5000)
    for (const operation of operations(engine, 'ns')) {
      // Answered by Redis again: a result, or an engine error other than "unavailable".
      const outcome = await operation().catch((error) => error)
      expect(outcome?.code).not.toBe('unavailable')
    }
  }, 30_000)

  test('a Redis that accepts connections but never answers: unavailable within the timeout, not a hang', async () => {
    const sockets: Socket[] = []
    const silent = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: { open: (socket) => void sockets.push(socket), data: () => {} },
    })
    closing.push(async () => silent.stop(true))
    const engine = new Engine(
      new RedisBackend({ url: `redis://127.0.0.1:${silent.port}`, timeoutMs: TIMEOUT_MS }),
      { sweepIntervalMs: 0 },
    )
    closing.push(() => engine.close())
    for (const operation of operations(engine, 'ns')) await failsFast(operation)
  }, 30_000)

  test('a port nobody listens on: unavailable within the timeout', async () => {
    const redis = privateRedis()
    const engine = new Engine(new RedisBackend({ url: redis.url, timeoutMs: TIMEOUT_MS }), {
      sweepIntervalMs: 0,
    })
    closing.push(() => engine.close())
    for (const operation of operations(engine, 'ns')) await failsFast(operation)
  }, 30_000)

  test('over HTTP: every request answers 503 in the dialect error shape, /healthz too, then 200 again', async () => {
    const redis = privateRedis()
    closing.push(() => redis.remove())
    await redis.start()
    const kvgate: TestKvgate = testKvgate([echoDialect], {
      REDIS_URL: redis.url,
      KVGATE_STORE_TIMEOUT_MS: String(TIMEOUT_MS),
    })
    closing.push(() => kvgate.close())
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    const put = (body: string) => kvgate.fetch('/echo/items/k', { method: 'PUT', headers: auth, body })
    expect((await put('one')).status).toBe(200)
    expect((await kvgate.fetch('/healthz')).status).toBe(200)

    await redis.stop()
    // The near cache answers the credential check from memory until kvgate has noticed its
    // invalidation connection close, a millisecond or two after the stop; from then on it is bypassed.
    await Bun.sleep(50)
    const requests = [
      () => put('two'),
      () => kvgate.fetch('/echo/items/k', { headers: auth }),
      () => kvgate.fetch('/echo/whoami', { headers: auth }),
    ]
    const answers = await Promise.all(
      [...requests, ...requests, ...requests].map(async (request) => {
        const started = performance.now()
        const response = await request()
        return { response, took: performance.now() - started }
      }),
    )
    for (const { response, took } of answers) {
      expect(response.status).toBe(503)
      expect(Object.keys(await response.json())).toEqual(['echo_error'])
      // A request may wait for the store twice (credentials, then data).
      expect(took).toBeLessThan(2 * TIMEOUT_MS + SLACK_MS)
    }
    const health = await kvgate.fetch('/healthz')
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'unavailable', backend: 'redis' })

    await redis.start()
    await recovers(async () => {
      const response = await put('three')
      if (response.status !== 200) throw new Error(`still ${response.status}`)
    })
    expect(await (await kvgate.fetch('/echo/items/k', { headers: auth })).text()).toBe('three')
    expect((await kvgate.fetch('/healthz')).status).toBe(200)
  }, 30_000)

  test('a Redis Cluster whose nodes all die: unavailable within the timeout, then back when they return', async () => {
    const cluster = startCluster()
    closing.push(async () => cluster.remove())
    const engine = new Engine(new RedisBackend({ clusterNodes: cluster.nodes, timeoutMs: TIMEOUT_MS }), {
      sweepIntervalMs: 0,
    })
    closing.push(() => engine.close())
    await engine.put('ns', utf8('a'), text('before'))

    cluster.kill()
    for (const operation of operations(engine, 'ns')) await failsFast(operation)

    cluster.restart()
    await recovers(() => engine.put('ns', utf8('a'), text('after')), 10_000)
    for (const operation of operations(engine, 'ns')) {
      const outcome = await operation().catch((error) => error)
      expect(outcome?.code).not.toBe('unavailable')
    }
  }, 60_000)

  test('with Redis down every dialect answers 503, within the timeout, and each again once it is back', async () => {
    const redis = privateRedis()
    closing.push(() => redis.remove())
    await redis.start()
    const kvgate = testKvgate(dialects, { REDIS_URL: redis.url, KVGATE_STORE_TIMEOUT_MS: String(TIMEOUT_MS) })
    closing.push(() => kvgate.close())
    const key = async (dialect: string, name: string) =>
      (await kvgate.createAccount(dialect)).credentials[name]!
    const [cloudkv, workersKv, lightkv, rocketstack] = await Promise.all([
      key('cloudkv', 'api_key'),
      key('workers-kv', 'api_token'),
      key('lightkv', 'read_token'),
      key('rocketstack', 'api_key'),
    ])
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
    const requests: Array<[string, () => Promise<Response>]> = [
      ['kvdb', () => kvgate.fetch('/kvdb', { method: 'POST', body: 'email=a@example.com' })],
      ['cloudkv', () => kvgate.fetch('/cloudkv/buckets', { headers: { 'api-key': cloudkv } })],
      ['workers-kv', () => kvgate.fetch('/client/v4/user/tokens/verify', { headers: bearer(workersKv) })],
      ['lightkv', () => kvgate.fetch('/lightkv/item/read?key=a', { headers: bearer(lightkv) })],
      ['rocketstack', () => kvgate.fetch('/rocketstack/kv/items', { headers: bearer(rocketstack) })],
    ]
    const up = await Promise.all(
      requests.map(async ([name, request]) => ({ name, status: (await request()).status })),
    )
    expect(up.filter(({ status }) => status >= 500)).toEqual([])

    await redis.stop()
    await Bun.sleep(50) // until kvgate notices; see "over HTTP" above
    const down = await Promise.all(
      requests.map(async ([name, request]) => {
        const started = performance.now()
        const response = await request()
        await response.arrayBuffer()
        return {
          name,
          status: response.status,
          slow: performance.now() - started > 2 * TIMEOUT_MS + SLACK_MS,
        }
      }),
    )
    expect(down).toEqual(requests.map(([name]) => ({ name, status: 503, slow: false })))

    await redis.start()
    for (const [name, request] of requests) {
      await recovers(async () => {
        const status = (await request()).status
        if (status >= 500) throw new Error(`${name} still answers ${status}`)
      })
    }
  }, 60_000)
})
