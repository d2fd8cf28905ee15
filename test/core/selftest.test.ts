// `kvgate selftest`: the same settings as `kvgate serve`, real checks, a readable report, an exit
// code that tells, and nothing left behind.

import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Redis } from 'ioredis'
import { BUN, childEnv, freePort, ROOT } from '../support/process.ts'
import { redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const url = redisUrl()
const redisReachable = await requireRedis('redis', url)
const dir = mkdtempSync(join(tmpdir(), 'kvgate-selftest-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function selftest(args: string[], env: Record<string, string> = {}, cwd = dir) {
  const result = Bun.spawnSync([BUN, join(ROOT, 'core/main.ts'), 'selftest', ...args], {
    cwd,
    env: childEnv({ KVGATE_PORT: String(freePort()), KVGATE_HOST: '127.0.0.1', ...env }),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stdout = result.stdout.toString()
  return {
    code: result.exitCode,
    stdout,
    stderr: result.stderr.toString(),
    lines: stdout.trimEnd().split('\n'),
  }
}

describe('kvgate selftest', () => {
  test('on a fresh folder: every check passes, and no data file or folder is created', () => {
    const fresh = join(dir, 'fresh')
    mkdirSync(fresh)
    const { code, lines, stderr } = selftest([], {}, fresh)
    expect(stderr).toBe('')
    expect(lines).toEqual([
      'ok      configuration  no config file; 5 dialects on 5 routes',
      `ok      store          sqlite ./data/kvgate.db does not exist yet (kvgate would create it: ${fresh} is writable): wrote, read and deleted a probe key in a temporary file instead`,
      'ok      lua            a script ran in the sandbox (1 + 1 = 2)',
      expect.stringMatching(/^ok {6}port {11}port \d+ on 127\.0\.0\.1 is free to listen on$/),
      'all 4 checks passed',
    ])
    expect(code).toBe(0)
    expect(readdirSync(fresh)).toEqual([])
  })

  test('takes the flags serve takes, and probes an existing data file for real', () => {
    const data = join(dir, 'existing.db')
    expect(selftest(['--data', data]).code).toBe(0)
    expect(existsSync(data)).toBe(false)
    // Made by a server run (here: by `kvgate admin`), then probed in place.
    const admin = Bun.spawnSync(
      [BUN, join(ROOT, 'core/main.ts'), 'admin', 'accounts', 'list', '--data', data],
      {
        env: childEnv(),
      },
    )
    expect(admin.exitCode).toBe(0)
    const { code, lines } = selftest(['--data', data])
    expect(lines[1]).toBe(`ok      store          sqlite ${data}: wrote, read and deleted a probe key`)
    expect(code).toBe(0)
    const db = new DatabaseSync(data)
    try {
      for (const table of ['entries', 'namespace_state'])
        expect(db.prepare(`SELECT ns FROM ${table} WHERE ns LIKE '_selftest%'`).all()).toEqual([])
    } finally {
      db.close()
    }
  })

  test('an unreachable Redis fails the store check and the run, naming the store without its password', () => {
    const { code, lines } = selftest(['--redis-url', 'redis://:hunter2@127.0.0.1:1'])
    expect(lines[1]).toStartWith('FAILED  store          redis redis://:***@127.0.0.1:1: ')
    expect(lines.join('\n')).not.toContain('hunter2')
    expect(lines.at(-1)).toBe('1 of 4 checks FAILED')
    expect(code).toBe(1)
  })

  test('a port in use fails the port check', () => {
    const holder = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    try {
      const { code, lines } = selftest(['--port', String(holder.port), '--data', ':memory:'])
      expect(lines[3]).toStartWith('FAILED  port ')
      expect(lines[3]).toContain(`${holder.port}`)
      expect(code).toBe(1)
    } finally {
      holder.stop(true)
    }
  })

  test('bad configuration is a failed check, named as usual', () => {
    const { code, lines } = selftest([], { KVGATE_PROT: '1' })
    expect(lines).toEqual([
      'FAILED  configuration  unknown variable KVGATE_PROT (did you mean KVGATE_PORT?)',
      '1 of 1 checks FAILED',
    ])
    expect(code).toBe(1)
  })

  test.skipIf(!redisReachable)('on Redis, the probe leaves no key behind', async () => {
    const prefix = testPrefix()
    const { code, lines } = selftest([], { REDIS_URL: url, KVGATE_REDIS_PREFIX: prefix })
    expect(lines[1]).toStartWith(`ok      store          redis ${url} (key prefix ${prefix}): wrote, read`)
    expect(code).toBe(0)
    const redis = new Redis(url)
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([])
    } finally {
      redis.disconnect()
    }
  })
})
