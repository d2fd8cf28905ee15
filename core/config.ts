// Configuration: defaults, then an optional JSON file, then environment variables, then flags,
// validated into one Config with valibot. Anything wrong ends in one ConfigError line.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import * as v from 'valibot'
import type { EngineLimits } from './engine/engine.ts'
import type { SqliteSyncMode } from './engine/sqlite/database.ts'
import { constantCase, integerOption, listOption } from './options.ts'
import { type Mount, RouteSpecError, resolveMounts } from './routes.ts'

export class ConfigError extends Error {}

export type StoreConfig =
  | { type: 'sqlite'; path: string; synchronous: SqliteSyncMode }
  | { type: 'redis'; url: string; prefix?: string }
  | { type: 'redis-cluster'; nodes: string[]; prefix?: string }

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Config {
  port: number
  host: string
  store: StoreConfig
  /** Bearer token of the /admin API; null switches the API off. */
  adminToken: string | null
  mounts: Mount[]
  logLevel: LogLevel
  /** Largest request body the HTTP server accepts at all; dialects set lower limits of their own. */
  maxBodyBytes: number
  shutdownTimeoutMs: number
  /** How long a store operation may take before it fails as unavailable. */
  storeTimeoutMs: number
  sweepIntervalMs: number
  /** Peers whose X-Forwarded-For is believed. */
  trustedProxies: string[]
  engineLimits: Partial<EngineLimits>
  /** Each enabled dialect's options, validated by its own schema. */
  dialects: Record<string, Record<string, unknown>>
}

/** What config needs to know of a dialect: its name, default route and option schema. */
export interface DialectSettings {
  name: string
  defaultPrefix: string
  options: v.GenericSchema<unknown, object>
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-cluster-nodes': { type: 'string' },
  routes: { type: 'string' },
  dialects: { type: 'string' },
  log: { type: 'string' },
  config: { type: 'string' },
  'sqlite-sync': { type: 'string' },
} as const

/** Environment variable of each setting (flags use the kebab-case name in FLAGS). */
const ENV: Record<string, string> = {
  port: 'KVGATE_PORT',
  host: 'KVGATE_HOST',
  data: 'KVGATE_DATA',
  redisUrl: 'REDIS_URL',
  redisClusterNodes: 'REDIS_CLUSTER_NODES',
  redisPrefix: 'KVGATE_REDIS_PREFIX',
  adminToken: 'KVGATE_ADMIN_TOKEN',
  routes: 'KVGATE_ROUTES',
  dialects: 'KVGATE_DIALECTS',
  log: 'KVGATE_LOG',
  sqliteSync: 'KVGATE_SQLITE_SYNC',
  maxBodyBytes: 'KVGATE_MAX_BODY_BYTES',
  shutdownTimeoutMs: 'KVGATE_SHUTDOWN_TIMEOUT_MS',
  storeTimeoutMs: 'KVGATE_STORE_TIMEOUT_MS',
  sweepIntervalMs: 'KVGATE_SWEEP_INTERVAL_MS',
  trustedProxies: 'KVGATE_TRUSTED_PROXIES',
  maxKeyBytes: 'KVGATE_MAX_KEY_BYTES',
  maxValueBytes: 'KVGATE_MAX_VALUE_BYTES',
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$/

const CoreSchema = v.object({
  port: integerOption(8787, { max: 65535 }),
  host: v.optional(v.pipe(v.string(), v.nonEmpty()), '0.0.0.0'),
  data: v.optional(v.pipe(v.string(), v.nonEmpty()), './data/kvgate.db'),
  redisUrl: v.optional(
    v.pipe(v.string(), v.regex(/^rediss?:\/\/\S*$/, 'must be a redis:// or rediss:// URL')),
  ),
  redisClusterNodes: v.optional(
    v.pipe(
      listOption(),
      v.check((nodes) => nodes.every((node) => HOST_PORT.test(node)), 'must be host:port,...'),
    ),
  ),
  redisPrefix: v.optional(v.pipe(v.string(), v.regex(/^[^{}\s]*$/, 'must not contain braces or spaces'))),
  adminToken: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  routes: v.optional(v.string(), ''),
  dialects: v.optional(listOption()),
  log: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  sqliteSync: v.optional(v.picklist(['off', 'normal', 'full']), 'normal'),
  maxBodyBytes: integerOption(128 * 1024 * 1024, { min: 1024 }),
  shutdownTimeoutMs: integerOption(10_000),
  storeTimeoutMs: integerOption(2_000, { min: 10 }),
  sweepIntervalMs: integerOption(30_000),
  trustedProxies: listOption(),
  maxKeyBytes: v.optional(integerOption(4096, { min: 1 })),
  maxValueBytes: v.optional(integerOption(32 * 1024 * 1024, { min: 1 })),
})

export interface ConfigSources {
  env: Record<string, string | undefined>
  argv: string[]
  dialects: DialectSettings[]
}

export function loadConfig({ env, argv, dialects }: ConfigSources): Config {
  const flags = parseFlags(argv)
  const file = readConfigFile(flags.config ?? env.KVGATE_CONFIG)
  const raw: Record<string, unknown> = { ...file }
  // An empty variable counts as unset, as in most shells' ${VAR:-default}.
  for (const [name, variable] of Object.entries(ENV)) if (env[variable]) raw[name] = env[variable]
  for (const [flag, value] of Object.entries(flags)) if (flag !== 'config') raw[camelCase(flag)] = value

  const core = parse(CoreSchema, raw, (path) => settingName(path, flags))
  if (core.redisUrl && core.redisClusterNodes?.length) {
    throw new ConfigError('give REDIS_URL or REDIS_CLUSTER_NODES, not both')
  }
  const known = dialects.map((dialect) => dialect.name)
  const enabled = core.dialects ?? known
  const unknown = enabled.find((name) => !known.includes(name))
  if (unknown)
    throw new ConfigError(`unknown dialect "${unknown}" in KVGATE_DIALECTS (known: ${known.join(', ')})`)

  let mounts: Mount[]
  try {
    mounts = resolveMounts(
      core.routes,
      enabled,
      Object.fromEntries(dialects.map((dialect) => [dialect.name, dialect.defaultPrefix])),
    )
  } catch (error) {
    if (error instanceof RouteSpecError) throw new ConfigError(`KVGATE_ROUTES: ${error.message}`)
    throw error
  }

  const fileDialects = (file.dialects ?? {}) as Record<string, Record<string, unknown>>
  const dialectOptions: Config['dialects'] = {}
  for (const dialect of dialects.filter((each) => enabled.includes(each.name))) {
    const prefix = `KVGATE_${constantCase(dialect.name)}_`
    const fromEnv = Object.fromEntries(
      Object.entries(env)
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, value]) => [
          camelCase(name.slice(prefix.length).toLowerCase().replace(/_/g, '-')),
          value,
        ]),
    )
    dialectOptions[dialect.name] = parse(
      dialect.options,
      { ...fileDialects[dialect.name], ...fromEnv },
      (path) => `${prefix}${constantCase(path)}`,
    ) as Record<string, unknown>
  }

  // The key prefix appears only when set, so the common case reads as just a URL or nodes.
  const prefix = core.redisPrefix === undefined ? {} : { prefix: core.redisPrefix }
  const store: StoreConfig = core.redisUrl
    ? { type: 'redis', url: core.redisUrl, ...prefix }
    : core.redisClusterNodes?.length
      ? { type: 'redis-cluster', nodes: core.redisClusterNodes, ...prefix }
      : { type: 'sqlite', path: core.data, synchronous: core.sqliteSync }

  return {
    port: core.port,
    host: core.host,
    store,
    adminToken: core.adminToken ?? null,
    mounts,
    logLevel: core.log,
    maxBodyBytes: core.maxBodyBytes,
    shutdownTimeoutMs: core.shutdownTimeoutMs,
    storeTimeoutMs: core.storeTimeoutMs,
    sweepIntervalMs: core.sweepIntervalMs,
    trustedProxies: core.trustedProxies,
    engineLimits: {
      ...(core.maxKeyBytes === undefined ? {} : { maxKeyBytes: core.maxKeyBytes }),
      ...(core.maxValueBytes === undefined ? {} : { maxValueBytes: core.maxValueBytes }),
    },
    dialects: dialectOptions,
  }
}

function parseFlags(argv: string[]): Partial<Record<keyof typeof FLAGS, string>> {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: must hold a JSON object`)
  }
  return parsed as Record<string, unknown>
}

function parse<T>(schema: v.GenericSchema<unknown, T>, input: unknown, nameOf: (path: string) => string): T {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = v.getDotPath(issue) ?? ''
  // Quote what the user wrote, not what a transform made of it.
  const given = path ? (input as Record<string, unknown>)[path.split('.')[0]!] : undefined
  const got = given === undefined ? '' : ` (got ${JSON.stringify(given)})`
  throw new ConfigError(`${path ? `${nameOf(path)}: ` : ''}${issue.message}${got}`)
}

/** The name a user set a core setting by: the flag if one was given, else the environment variable. */
function settingName(path: string, flags: Record<string, unknown>): string {
  const flag = Object.keys(FLAGS).find((name) => camelCase(name) === path)
  if (flag && flags[flag] !== undefined) return `--${flag}`
  return ENV[path] ?? path
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
