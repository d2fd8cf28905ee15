// What kvgate says when Redis fails: which Redis, and what happened, in kvgate's words, in the
// engine's errors, /healthz and the admin API's 503s; never ioredis's option names. (The log lines of
// a real failover are checked in redis-sentinel.test.ts.)

import { afterAll, describe, expect, test } from 'bun:test'
import { ReplyError } from 'ioredis'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend, type RedisBackendOptions } from '../../core/engine/redis/backend.ts'
import { failureText, timeoutText } from '../../core/engine/redis/failures.ts'
import { dialects } from '../../plugins/index.ts'
import { ADMIN_TOKEN, testKvgate } from '../support/kvgate.ts'
import { freePort } from '../support/process.ts'
import { privateRedis, redisServerInstalled } from '../support/redis.ts'

const IOREDIS_WORDS = /maxRetriesPerRequest|enableOfflineQueue|retry|Stream isn't|startup nodes|slots cache/

const systemError = (code: string, address?: string, port?: number) =>
  Object.assign(new Error(`connect ${code} ${address}:${port}`), { code, address, port })

describe('failureText', () => {
  const redis = 'Redis at 10.0.0.5:6379'
  test('a connection that fails says how, and where when the name does not', () => {
    const lost = new Error(
      'Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest" option for details.',
    )
    expect(failureText(redis, lost, systemError('ECONNREFUSED', '10.0.0.5', 6379))).toBe(
      'Redis at 10.0.0.5:6379 is unreachable (connection refused)',
    )
    const master = 'the Redis master "main" (Sentinel at 10.0.0.1:26379)'
    expect(failureText(master, lost, systemError('ECONNREFUSED', '10.0.0.7', 6379))).toBe(
      `${master} is unreachable (connection refused at 10.0.0.7:6379)`,
    )
    expect(failureText(redis, lost, systemError('ENOTFOUND'))).toBe(
      'Redis at 10.0.0.5:6379 is unreachable (host name not found)',
    )
    expect(failureText(redis, lost, systemError('ETIMEDOUT'))).toBe(
      'Redis at 10.0.0.5:6379 is unreachable (connection timed out)',
    )
    expect(failureText(redis, lost, null)).toBe('Redis at 10.0.0.5:6379 is unreachable (connection lost)')
    expect(failureText(redis, new Error('Connection is closed.'), null)).toBe(
      'Redis at 10.0.0.5:6379 is unreachable (connection lost)',
    )
  })

  test('clusters and sentinels that cannot be reached', () => {
    const cluster = 'Redis Cluster at 10.0.0.1:7000'
    expect(failureText(cluster, new Error('None of startup nodes is available'), null)).toBe(
      `${cluster} is unreachable (no node answers)`,
    )
    const master = 'the Redis master "main" (Sentinel at 10.0.0.1:26379)'
    const sentinels = new Error('All sentinels are unreachable. Retrying from scratch after 50ms.')
    expect(failureText(master, new Error('x'), sentinels)).toBe(
      `${master} is unreachable (no sentinel answers)`,
    )
    // What ioredis reports of sentinels that do not know the name (asked for their peers, or for the master).
    for (const unknownName of [
      'failed to connect to sentinel 10.0.0.1:26379 because ERR No such master with that name',
      'connected to sentinel 10.0.0.1:26379 successfully, but got an invalid reply: null',
    ]) {
      expect(failureText(master, new Error('x'), sentinels, new Error(unknownName))).toBe(
        `${master} is unreachable (no sentinel names a master by that name)`,
      )
    }
  })

  test("Redis's own refusals are named, with the reply's code", () => {
    expect(failureText('Redis at h:1', new ReplyError('NOAUTH Authentication required.'), null)).toBe(
      'Redis at h:1 asks for a password (NOAUTH): set REDIS_PASSWORD, or put it in REDIS_URL',
    )
    expect(
      failureText(
        'Redis at h:1',
        new ReplyError("READONLY You can't write against a read only replica."),
        null,
      ),
    ).toBe('Redis at h:1 is a read-only replica, not the master (READONLY)')
    // A refusal while connecting (the password) says so even when the operation only saw a lost connection.
    expect(
      failureText(
        'Redis at h:1',
        new Error('Connection is closed.'),
        new ReplyError('WRONGPASS invalid username-password pair'),
      ),
    ).toBe('Redis at h:1 refused the password (WRONGPASS)')
  })

  test('a timeout says how long, and why when the connection is down', () => {
    expect(timeoutText('Redis at h:1', 300, null)).toBe('Redis at h:1 did not answer within 300 ms')
    expect(timeoutText('Redis at h:1', 300, systemError('ECONNREFUSED', 'h', 1))).toBe(
      'Redis at h:1 did not answer within 300 ms (connection refused)',
    )
  })
})

const closing: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const close of closing) await close()
})

/** The message of the error an engine operation fails with. */
async function failure(options: RedisBackendOptions): Promise<string> {
  const engine = new Engine(new RedisBackend({ timeoutMs: 500, ...options }), { sweepIntervalMs: 0 })
  closing.push(() => engine.close())
  const error = await engine.get('ns', utf8('k')).then(
    () => null,
    (caught: Error) => caught,
  )
  expect(error).toMatchObject({ code: 'unavailable' })
  expect(error!.message).not.toMatch(IOREDIS_WORDS)
  return error!.message
}

describe('a store that fails, as operations and requests see it', () => {
  test('refused, not found, a cluster without nodes, sentinels without answers', async () => {
    const port = freePort()
    expect(await failure({ url: `redis://127.0.0.1:${port}` })).toBe(
      `Redis at 127.0.0.1:${port} is unreachable (connection refused)`,
    )
    // Not found, or (on a machine without a resolver) not looked up.
    expect(await failure({ url: 'redis://kvgate-no-such-host.invalid:6379' })).toMatch(
      /^Redis at kvgate-no-such-host.invalid:6379 is unreachable \(host name (not found|could not be looked up)\)$/,
    )
    expect(await failure({ clusterNodes: [`127.0.0.1:${port}`] })).toBe(
      `Redis Cluster at 127.0.0.1:${port} is unreachable (no node answers)`,
    )
    expect(await failure({ sentinel: { sentinels: [`127.0.0.1:${port}`], master: 'main' } })).toBe(
      `the Redis master "main" (Sentinel at 127.0.0.1:${port}) did not answer within 500 ms (no sentinel answers)`,
    )
  }, 30_000)

  test.skipIf(!redisServerInstalled())(
    'a Redis with a password: REDIS_PASSWORD, a wrong one, none',
    async () => {
      const redis = privateRedis(['--requirepass', 'open-sesame'])
      closing.push(() => redis.remove())
      await redis.start()
      const address = `127.0.0.1:${redis.port}`
      expect(await failure({ url: redis.url })).toBe(
        `Redis at ${address} asks for a password (NOAUTH): set REDIS_PASSWORD, or put it in REDIS_URL`,
      )
      expect(await failure({ url: redis.url, password: 'wrong' })).toBe(
        `Redis at ${address} refused the password (WRONGPASS)`,
      )
      const engine = new Engine(
        new RedisBackend({ url: redis.url, password: 'open-sesame', timeoutMs: 500 }),
        {
          sweepIntervalMs: 0,
        },
      )
      closing.push(() => engine.close())
      await engine.put('ns', utf8('k'), { bytes: utf8('v') })
      expect((await engine.get('ns', utf8('k')))?.value).toEqual(utf8('v'))
    },
    30_000,
  )

  test("/healthz and the admin API say it in the same words (the log line is the sentinel test's)", async () => {
    const port = freePort()
    const kvgate = testKvgate(dialects, {
      REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`,
      KVGATE_STORE_TIMEOUT_MS: '300',
    })
    closing.push(() => kvgate.close())
    const said = `Redis at 127.0.0.1:${port} is unreachable (connection refused)`
    const health = await kvgate.fetch('/healthz')
    expect(health.status).toBe(503)
    expect(await health.json()).toEqual({ status: 'unavailable', backend: 'redis', error: said })
    const admin = await kvgate.fetch('/admin/accounts', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(admin.status).toBe(503)
    expect(await admin.json()).toEqual({ error: said })
  })
})
