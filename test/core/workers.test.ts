// Several kvgate processes on one port (KVGATE_WORKERS, Redis only), and one port for one kvgate
// otherwise: a second kvgate on a port that is taken fails at start with a clear line, whether the
// port is held by one kvgate or by a group of workers. Stopping the first process stops every
// worker; a worker that dies is replaced.

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, childEnv, descendants, portTaken, ROOT, running, startKvgateChild } from '../support/process.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'
import { expectStoppedCleanly, startThenSignal } from '../support/stop.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-workers-'))
const cleanUp: Array<() => unknown> = []
afterAll(async () => {
  for (const step of cleanUp.reverse()) await step()
  rmSync(dir, { recursive: true, force: true })
})

/** A connection of its own for the request, so that the kernel picks a worker for each. */
const fresh: RequestInit = { keepalive: false, headers: { connection: 'close' } }

const embedded = (name: string) => ({ KVGATE_DATA: join(dir, `${name}.db`), KVGATE_LOG: 'warn' })

/** Runs kvgate to its end (it is expected to fail at start); its exit code and stderr. */
async function runToEnd(env: Record<string, string>, port: number, args: string[] = []) {
  const child = await startKvgateChild(env, args, { port, healthy: false })
  const code = await Promise.race([child.process.exited, Bun.sleep(15_000).then(() => 'still running')])
  if (code === 'still running') await child.stop()
  return { code, stderr: (await child.output).stderr }
}

describe('one port, one kvgate (no workers asked for)', () => {
  test('a second kvgate on the port of a running one fails at start, with one clear line', async () => {
    const first = await startKvgateChild(embedded('first'))
    cleanUp.push(() => first.stop())
    const second = await runToEnd(embedded('second'), first.port)
    expect(second).toEqual({ code: 1, stderr: `kvgate: port ${first.port} on 127.0.0.1 is already in use\n` })
    // Host-routed mounts are served by another listener (a dispatcher in front of one app per host).
    const hosted = await runToEnd({ ...embedded('hosted'), KVGATE_ROUTES: 'kvdb=kvdb.test' }, first.port)
    expect(hosted).toEqual({ code: 1, stderr: `kvgate: port ${first.port} on 127.0.0.1 is already in use\n` })
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
  })

  test('KVGATE_WORKERS on the embedded store is refused, saying why', async () => {
    for (const [env, args, origin] of [
      [{ KVGATE_WORKERS: '2' }, [], 'KVGATE_WORKERS'],
      [{}, ['--workers', '2'], '--workers'],
    ] as const) {
      const { code, stderr } = await runToEnd({ ...embedded('refused'), ...env }, 0, [...args])
      expect(code).toBe(1)
      expect(stderr).toBe(
        `kvgate: ${origin}: several workers need Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): the embedded store is served by one process, whose caches and writer no other process sees\n`,
      )
    }
  })
})

const url = redisUrl()
const redisReachable = await requireRedis('redis', url)

describe.skipIf(!redisReachable)('KVGATE_WORKERS on Redis', () => {
  const prefix = testPrefix()
  cleanUp.push(() => dropPrefix({ url }, prefix))
  const env = {
    REDIS_URL: url,
    KVGATE_REDIS_PREFIX: prefix,
    KVGATE_WORKERS: '2',
    KVGATE_LOG: 'info',
    KVGATE_LOG_FORMAT: 'json',
  }

  test('two workers share the port and both answer; nothing else can take the port meanwhile', async () => {
    const group = await startKvgateChild(env)
    cleanUp.push(() => group.stop())
    await group.printed('"msg":"workers listening"')
    const workers = descendants(group.process.pid)
    expect(workers).toHaveLength(2)
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${group.url}/healthz`, fresh)
      expect(response.status).toBe(200)
    }
    // Neither a single kvgate nor another group of workers may join the port.
    const single = await runToEnd({ ...embedded('intruder') }, group.port)
    expect(single).toEqual({ code: 1, stderr: `kvgate: port ${group.port} on 127.0.0.1 is already in use\n` })
    const otherGroup = await runToEnd(env, group.port)
    expect(otherGroup).toEqual({
      code: 1,
      stderr: `kvgate: port ${group.port} on 127.0.0.1 is already in use\n`,
    })

    expect(await group.stop()).toBe(0)
    const { stdout } = await group.output
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const listening = lines.filter((line) => line.msg === 'listening').map((line) => line.worker)
    expect(listening.sort()).toEqual([0, 1])
    const answeredBy = new Set(
      lines.filter((line) => line.msg === 'request' && line.path === '/healthz').map((line) => line.worker),
    )
    expect(answeredBy).toEqual(new Set([0, 1]))
    expect(lines.filter((line) => line.msg === 'stopped')).toHaveLength(3)
    expect(workers.filter(running)).toEqual([])
  }, 30_000)

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to the first process stops every worker and frees the port`, async () => {
      const outcome = await startThenSignal({
        command: [BUN, join(ROOT, 'core/main.ts')],
        signal,
        cwd: ROOT,
        env: childEnv(env),
      })
      expectStoppedCleanly(outcome)
      expect(outcome.code).toBe(0)
      // Each worker stops as its own SIGTERM (sent by the first process) asks, or dies of it if it
      // had not finished starting.
      expect(outcome.output).toContain(`"msg":"shutting down","signal":"${signal}","workers":2`)
    }, 30_000)
  }

  test('when the first process is killed outright, the workers stop by themselves', async () => {
    const outcome = await startThenSignal({
      command: [BUN, join(ROOT, 'core/main.ts')],
      signal: 'SIGKILL',
      cwd: ROOT,
      env: childEnv(env),
    })
    expectStoppedCleanly(outcome)
    expect(
      outcome.output.split('\n').filter((line) => line.includes('"signal":"parent exited"')),
    ).toHaveLength(2)
  }, 30_000)

  test('a worker that dies is replaced, and the port keeps answering', async () => {
    const group = await startKvgateChild(env)
    cleanUp.push(() => group.stop())
    await group.printed('"msg":"workers listening"')
    const [victim, survivor] = descendants(group.process.pid)
    process.kill(victim!, 'SIGKILL')
    while (running(victim!)) await Bun.sleep(10)
    // The other worker answers meanwhile, until a replacement joins it. A connection the dead
    // worker held, or that the kernel had just queued for it, is reset, as with any crash: a client
    // that tries again is served.
    let resets = 0
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${group.url}/healthz`, fresh).catch((error: Error) => {
        resets++
        if (!/ECONNRESET/.test(error.message)) throw error
        return fetch(`${group.url}/healthz`, fresh)
      })
      expect(response.status).toBe(200)
    }
    expect(resets).toBeLessThanOrEqual(1)
    const deadline = Date.now() + 10_000
    while (descendants(group.process.pid).filter(running).length < 2 && Date.now() < deadline)
      await Bun.sleep(100)
    const now = descendants(group.process.pid).filter(running)
    expect(now).toHaveLength(2)
    expect(now).toContain(survivor!)
    expect(now).not.toContain(victim!)
    expect(await group.stop()).toBe(0)
    const { stdout } = await group.output
    expect(stdout).toContain('"msg":"worker ended; starting another"')
    expect(portTaken(group.port)).toBe(false)
  }, 30_000)
})
