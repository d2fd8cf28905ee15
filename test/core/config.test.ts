import { describe, expect, test } from 'bun:test'
import * as v from 'valibot'
import { ConfigError, loadConfig } from '../../core/config.ts'
import { integerOption } from '../../core/options.ts'

const dialects = [
  {
    name: 'alpha',
    defaultPrefix: '/alpha',
    options: v.object({ maxValueBytes: integerOption(100, { min: 1 }) }),
  },
  { name: 'beta-kv', defaultPrefix: '/beta', options: v.object({}) },
]
const load = (env: Record<string, string> = {}, argv: string[] = []) => loadConfig({ env, argv, dialects })
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
    expect(failure({}, ['--bogus'])).toContain("Unknown option '--bogus'")
    expect(failure({ KVGATE_CONFIG: '/nonexistent/kvgate.json' })).toStartWith(
      'config file /nonexistent/kvgate.json',
    )
  })
})
