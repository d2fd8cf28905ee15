import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as v from 'valibot'
import { ConfigError, loadConfig } from '../../core/config.ts'
import { integerOption } from '../../core/options.ts'
import { dialects } from '../../plugins/index.ts'
import { ROOT } from '../support/process.ts'

const testDialects = [
  {
    name: 'alpha',
    defaultPrefix: '/alpha',
    options: v.object({ maxValueBytes: integerOption(100, { min: 1 }) }),
  },
  { name: 'beta-kv', defaultPrefix: '/beta', options: v.object({}) },
]
const load = (env: Record<string, string> = {}, argv: string[] = []) =>
  loadConfig({ env, argv, dialects: testDialects })
const failure = (env: Record<string, string>, argv: string[] = []) => {
  try {
    load(env, argv)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('config', () => {
  test('no configuration at all: port 8787, embedded store in ./data, every dialect at its prefix', () => {
    const config = load()
    expect(config.port).toBe(8787)
    expect(config.store).toEqual({ type: 'sqlite', path: './data/kvgate.db', synchronous: 'normal' })
    expect(config.adminToken).toBeNull()
    expect(config.mounts).toEqual([
      { dialect: 'alpha', host: null, prefix: '/alpha' },
      { dialect: 'beta-kv', host: null, prefix: '/beta' },
    ])
    expect(config.dialects.alpha).toEqual({ maxValueBytes: 100 })
  })

  test('flags override the environment, which overrides defaults', () => {
    expect(load({ KVGATE_PORT: '9000' }).port).toBe(9000)
    expect(load({ KVGATE_PORT: '9000' }, ['--port', '9001']).port).toBe(9001)
    expect(load({}, ['--data', '/tmp/x.db', '--sqlite-sync', 'full']).store).toEqual({
      type: 'sqlite',
      path: '/tmp/x.db',
      synchronous: 'full',
    })
  })

  test('Redis and Redis Cluster are chosen by their variables', () => {
    expect(load({ REDIS_URL: 'redis://:secret@127.0.0.1:6379/2' }).store).toEqual({
      type: 'redis',
      url: 'redis://:secret@127.0.0.1:6379/2',
    })
    expect(load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001' }).store).toEqual({
      type: 'redis-cluster',
      nodes: ['10.0.0.1:7000', '10.0.0.2:7001'],
    })
  })

  test('Redis Sentinel: the sentinels and the master name, with the passwords and replicas to wait for', () => {
    const sentinels = { REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379', REDIS_SENTINEL_MASTER: 'main' }
    expect(load(sentinels).store).toEqual({
      type: 'redis-sentinel',
      sentinels: ['10.0.0.1:26379', '10.0.0.2:26379'],
      master: 'main',
    })
    expect(
      load({
        ...sentinels,
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        REDIS_PASSWORD: 'master-secret',
        KVGATE_REDIS_MIN_REPLICAS: '1',
        KVGATE_REDIS_PREFIX: 'app:',
      }).store,
    ).toEqual({
      type: 'redis-sentinel',
      sentinels: ['10.0.0.1:26379', '10.0.0.2:26379'],
      master: 'main',
      sentinelPassword: 'sentinel-secret',
      password: 'master-secret',
      minReplicas: 1,
      prefix: 'app:',
    })
    expect(load({}, ['--redis-sentinels', '10.0.0.3:26379', '--redis-sentinel-master', 'm']).store).toEqual({
      type: 'redis-sentinel',
      sentinels: ['10.0.0.3:26379'],
      master: 'm',
    })
    expect(
      load({ REDIS_URL: 'redis://10.0.0.5', REDIS_PASSWORD: 'pw', KVGATE_REDIS_MIN_REPLICAS: '2' }).store,
    ).toEqual({
      type: 'redis',
      url: 'redis://10.0.0.5',
      password: 'pw',
      minReplicas: 2,
    })
    expect(load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PASSWORD: 'pw' }).store).toEqual({
      type: 'redis-cluster',
      nodes: ['10.0.0.1:7000'],
      password: 'pw',
    })
  })

  test('Redis settings that do not fit together are refused, naming them', () => {
    expect(failure({ REDIS_URL: 'redis://a', REDIS_SENTINELS: 'b:1', REDIS_SENTINEL_MASTER: 'm' })).toBe(
      'give one of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS, not several (REDIS_URL, REDIS_SENTINELS)',
    )
    expect(failure({ REDIS_SENTINELS: 'b:1' })).toBe(
      'REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the sentinels monitor the master under',
    )
    expect(failure({ REDIS_SENTINELS: 'b' })).toStartWith('REDIS_SENTINELS: must be host:port,...')
    expect(failure({ REDIS_URL: 'redis://a', REDIS_SENTINEL_MASTER: 'm' })).toBe(
      'REDIS_SENTINEL_MASTER is for Redis Sentinel: give REDIS_SENTINELS too',
    )
    expect(failure({ REDIS_PASSWORD: 'pw' })).toBe(
      'REDIS_PASSWORD is for Redis: give REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS too',
    )
    expect(failure({ REDIS_URL: 'redis://:one@a', REDIS_PASSWORD: 'two' })).toBe(
      'give the password in REDIS_URL or in REDIS_PASSWORD, not both',
    )
    expect(failure({ REDIS_CLUSTER_NODES: 'a:1', KVGATE_REDIS_MIN_REPLICAS: '1' })).toStartWith(
      'KVGATE_REDIS_MIN_REPLICAS works with REDIS_URL or REDIS_SENTINELS, not with a Redis Cluster',
    )
    expect(failure({ KVGATE_REDIS_MIN_REPLICAS: '1' })).toBe(
      'KVGATE_REDIS_MIN_REPLICAS is for Redis: give REDIS_URL or REDIS_SENTINELS too',
    )
    expect(failure({ REDIS_URL: 'redis://a', KVGATE_REDIS_MIN_REPLICAS: '-1' })).toBe(
      'KVGATE_REDIS_MIN_REPLICAS: must be at least 0 (got "-1")',
    )
  })

  test('KVGATE_WORKERS: one process by default, several only on Redis', () => {
    expect(load().workers).toBe(1)
    expect(load({ REDIS_URL: 'redis://a', KVGATE_WORKERS: '4' }).workers).toBe(4)
    expect(load({ REDIS_URL: 'redis://a' }, ['--workers', '3']).workers).toBe(3)
    expect(failure({ KVGATE_WORKERS: '2' })).toStartWith(
      'KVGATE_WORKERS: several workers need Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)',
    )
    expect(failure({ REDIS_URL: 'redis://a' }, ['--workers', '0'])).toBe(
      '--workers: must be at least 1 (got "0")',
    )
  })

  test('dialect options come from KVGATE_<DIALECT>_<OPTION>', () => {
    expect(load({ KVGATE_ALPHA_MAX_VALUE_BYTES: '5' }).dialects.alpha).toEqual({ maxValueBytes: 5 })
  })

  test('routes move, add hosts to, and disable dialects', () => {
    const config = load({ KVGATE_ROUTES: 'alpha=/a|alpha.test,beta-kv=api.test/b', KVGATE_DIALECTS: 'alpha' })
    expect(config.mounts).toEqual([
      { dialect: 'alpha', host: null, prefix: '/a' },
      { dialect: 'alpha', host: 'alpha.test', prefix: '' },
    ])
  })

  test('bad settings end in one line naming the setting', () => {
    expect(failure({ KVGATE_PORT: 'abc' })).toBe('KVGATE_PORT: must be a number (got "abc")')
    expect(failure({}, ['--port', '70000'])).toStartWith('--port: must be at most 65535')
    expect(failure({ KVGATE_ROUTES: 'gamma=/g' })).toBe(
      'KVGATE_ROUTES: unknown dialect "gamma" in routes (known: alpha, beta-kv)',
    )
    expect(failure({ KVGATE_ROUTES: 'alpha=/x,beta-kv=/x' })).toBe(
      'KVGATE_ROUTES: alpha and beta-kv both claim */x',
    )
    expect(failure({ KVGATE_ROUTES: 'alpha=/admin' })).toContain('kvgate answers /admin itself')
    expect(failure({ KVGATE_ROUTES: 'alpha=bad host!' })).toContain('not a valid host name')
    expect(failure({ KVGATE_DIALECTS: 'alpha,zeta' })).toContain('unknown dialect "zeta"')
    expect(failure({ KVGATE_ALPHA_MAX_VALUE_BYTES: '0' })).toStartWith(
      'KVGATE_ALPHA_MAX_VALUE_BYTES: must be at least 1',
    )
    expect(failure({ REDIS_URL: 'http://x' })).toStartWith('REDIS_URL: must be a redis://')
    expect(failure({ REDIS_CLUSTER_NODES: 'nope' })).toStartWith('REDIS_CLUSTER_NODES: must be host:port')
    expect(failure({ KVGATE_ADMIN_TOKEN: 'short' })).toStartWith('KVGATE_ADMIN_TOKEN: must be at least 16')
    expect(failure({}, ['--redis-ulr', 'x'])).toBe('unknown flag --redis-ulr (did you mean --redis-url?)')
    expect(failure({ KVGATE_CONFIG: '/nonexistent/kvgate.json' })).toStartWith(
      'config file /nonexistent/kvgate.json',
    )
  })
})

describe('the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-config-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let files = 0
  /** Writes a config file and returns its path. */
  const file = (content: unknown) => {
    const path = join(dir, `kvgate-${files++}.json`)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  test('sits below the environment and the flags; dialect options go under "dialectOptions"', () => {
    const path = file({
      port: 9100,
      dialects: ['alpha'],
      routes: { alpha: ['/a', 'alpha.test'] },
      dialectOptions: { alpha: { maxValueBytes: 7 } },
    })
    const config = load({ KVGATE_CONFIG: path })
    expect(config.port).toBe(9100)
    expect(config.mounts).toEqual([
      { dialect: 'alpha', host: null, prefix: '/a' },
      { dialect: 'alpha', host: 'alpha.test', prefix: '' },
    ])
    expect(config.dialects).toEqual({ alpha: { maxValueBytes: 7 } })
    expect(load({ KVGATE_CONFIG: path, KVGATE_PORT: '9101' }).port).toBe(9101)
    expect(load({ KVGATE_CONFIG: path, KVGATE_PORT: '9101' }, ['--port', '9102']).port).toBe(9102)
    expect(load({ KVGATE_CONFIG: path, KVGATE_ALPHA_MAX_VALUE_BYTES: '8' }).dialects.alpha).toEqual({
      maxValueBytes: 8,
    })
    expect(load({}, ['--config', path]).port).toBe(9100)
  })

  test('an error names the file and the key the bad value came from', () => {
    const path = file({ port: 'abc', dialectOptions: { alpha: { maxValueBytes: 0 } } })
    expect(failure({ KVGATE_CONFIG: path })).toBe(
      `"port" in config file ${path}: must be a number (got "abc")`,
    )
    expect(failure({ KVGATE_CONFIG: path, KVGATE_PORT: '1' })).toBe(
      `"dialectOptions.alpha.maxValueBytes" in config file ${path}: must be at least 1 (got 0)`,
    )
    expect(failure({ KVGATE_CONFIG: file({ routes: 'gamma=/g' }) })).toStartWith('"routes" in config file ')
    expect(failure({ KVGATE_CONFIG: file('{"port": 1,') })).toStartWith(`config file ${join(dir, '')}`)
    expect(failure({ KVGATE_CONFIG: file('[1]') })).toEndWith(': must hold a JSON object')
  })

  test('unknown keys are errors naming the closest known one', () => {
    const failing = (content: unknown) => failure({ KVGATE_CONFIG: file(content) })
    expect(failing({ prot: 1 })).toEndWith(': unknown setting "prot" (did you mean "port"?)')
    expect(failing({ redis_url: 'redis://x' })).toEndWith(
      ': unknown setting "redis_url" (did you mean "redisUrl"?)',
    )
    expect(failing({ dialectOptions: { alpah: {} } })).toEndWith(
      ': unknown setting "dialectOptions.alpah" (did you mean "dialectOptions.alpha"?)',
    )
    expect(failing({ dialectOptions: { alpha: { maxValueByte: 1 } } })).toEndWith(
      ': unknown setting "dialectOptions.alpha.maxValueByte" (did you mean "dialectOptions.alpha.maxValueBytes"?)',
    )
    // The old place of dialect options: the "dialects" key is the list of dialects to serve.
    expect(failing({ dialects: { alpha: { maxValueBytes: 1 } } })).toEndWith(
      ': "dialects" is the list of dialects to serve; their options go under "dialectOptions"',
    )
  })

  test('the documented example (docs/kvgate.example.json) loads with every real dialect', () => {
    const config = loadConfig({
      env: { KVGATE_CONFIG: join(ROOT, 'docs/kvgate.example.json') },
      argv: [],
      dialects,
    })
    expect(config.store).toEqual({ type: 'sqlite', path: '/var/lib/kvgate/kvgate.db', synchronous: 'normal' })
    expect(config.mounts).toEqual([
      { dialect: 'kvdb', host: null, prefix: '/kvdb' },
      { dialect: 'kvdb', host: 'kvdb.example.com', prefix: '' },
      { dialect: 'workers-kv', host: null, prefix: '/client/v4' },
      { dialect: 'lightkv', host: 'lightkv.example.com', prefix: '' },
    ])
    expect(config.dialects.lightkv).toMatchObject({ rateLimit: 100, rateLimitWindow: 60 })
    expect(config.dialects['workers-kv']).toMatchObject({ maxNamespaces: 100 })
    expect(config.trustedProxies).toEqual(['127.0.0.1'])
    expect(config.backup).toEqual({ intervalMs: 6 * 3600_000, dir: '/var/lib/kvgate/backups', keep: 7 })
  })
})

describe('scheduled backups', () => {
  test('an interval is a duration; the folder defaults to backups/ beside the data file', () => {
    const config = load({ KVGATE_DATA: '/srv/kv/kvgate.db', KVGATE_BACKUP_INTERVAL: '15m' })
    expect(config.backup).toEqual({ intervalMs: 900_000, dir: '/srv/kv/backups', keep: 7 })
    expect(load({ KVGATE_DATA: '/srv/kv/kvgate.db', KVGATE_BACKUP_INTERVAL: '90' }).backup?.intervalMs).toBe(
      90_000,
    )
    expect(load({}).backup).toBeNull()
  })

  test('bad or misplaced backup settings are refused, naming the setting', () => {
    expect(failure({ KVGATE_BACKUP_INTERVAL: 'often' })).toBe(
      'KVGATE_BACKUP_INTERVAL: must be a duration like 90s, 15m, 6h or 1d (got "often")',
    )
    expect(failure({ KVGATE_BACKUP_INTERVAL: '1h', KVGATE_BACKUP_KEEP: '0' })).toBe(
      'KVGATE_BACKUP_KEEP: must be at least 1 (got "0")',
    )
    expect(failure({ KVGATE_BACKUP_DIR: '/b' })).toBe('KVGATE_BACKUP_DIR needs KVGATE_BACKUP_INTERVAL too')
    expect(failure({ KVGATE_BACKUP_INTERVAL: '1h', REDIS_URL: 'redis://127.0.0.1:6379' })).toContain(
      'KVGATE_BACKUP_INTERVAL backs up the embedded store; Redis keeps its own backups',
    )
  })
})

describe('environment variables', () => {
  test('an unknown KVGATE_* variable is an error naming the closest known one', () => {
    expect(failure({ KVGATE_PROT: '1' })).toBe('unknown variable KVGATE_PROT (did you mean KVGATE_PORT?)')
    expect(failure({ KVGATE_ALPHA_MAX_VALUE_BYTE: '1' })).toBe(
      'unknown variable KVGATE_ALPHA_MAX_VALUE_BYTE (did you mean KVGATE_ALPHA_MAX_VALUE_BYTES?)',
    )
    // Options of a dialect that is not enabled are still known, and an empty variable is unset.
    expect(
      load({ KVGATE_DIALECTS: 'beta-kv', KVGATE_ALPHA_MAX_VALUE_BYTES: '5', KVGATE_NOPE: '' }).mounts,
    ).toHaveLength(1)
    expect(load({ KVGATE_URL: 'http://x', KVGATE_LOG_FORMAT: 'json', HOME: '/x' }).logFormat).toBe('json')
  })

  test('secrets are never repeated in an error', () => {
    const token = failure({ KVGATE_ADMIN_TOKEN: 'short-secret' })
    expect(token).toBe('KVGATE_ADMIN_TOKEN: must be at least 16 characters')
    const url = failure({ REDIS_URL: 'http://user:hunter2@redis.example:6379' })
    expect(url).toBe(
      'REDIS_URL: must be a redis:// or rediss:// URL (got "http://user:***@redis.example:6379")',
    )
    expect(failure({ REDIS_URL: 'http://hunter2@redis.example' })).not.toContain('hunter2')
  })

  test('secrets of the wrong type in the config file are not repeated either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvgate-config-secret-'))
    try {
      const path = join(dir, 'kvgate.json')
      writeFileSync(
        path,
        JSON.stringify({ redisSentinels: ['a:1'], redisSentinelMaster: 'm', redisPassword: 12345 }),
      )
      expect(failure({ KVGATE_CONFIG: path })).toBe(`"redisPassword" in config file ${path}: must be text`)
      writeFileSync(path, JSON.stringify({ adminToken: 1234567890123456 }))
      expect(failure({ KVGATE_CONFIG: path })).toBe(`"adminToken" in config file ${path}: must be text`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a listen address that cannot be one is refused at start', () => {
    expect(failure({ KVGATE_HOST: '999.1.1.1' })).toBe(
      'KVGATE_HOST: must be an IP address of this machine or a host name (got "999.1.1.1")',
    )
    expect(failure({}, ['--host', 'two words'])).toStartWith('--host: must be an IP address')
    for (const host of ['127.0.0.1', '::', '::1', 'localhost', 'kvgate.internal'])
      expect(load({ KVGATE_HOST: host }).host).toBe(host)
  })

  test('KVGATE_LOG_FORMAT is auto by default, and json or text when asked', () => {
    expect(load().logFormat).toBe('auto')
    expect(load({}, ['--log-format', 'text']).logFormat).toBe('text')
    expect(failure({ KVGATE_LOG_FORMAT: 'xml' })).toBe(
      'KVGATE_LOG_FORMAT: must be auto, json or text (got "xml")',
    )
  })
})
