// Configuration: defaults, then an optional JSON file, then environment variables, then flags,
// validated into one Config with valibot. Anything wrong ends in one ConfigError line that names
// where the value came from; names kvgate does not know are errors too. The store's own settings
// (backups included) are in store-settings.ts, the change log's and watch's in feed-settings.ts.

import { parseArgs } from 'node:util'
import * as v from 'valibot'
import {
  ConfigError,
  checkKeys,
  checkVariables,
  didYouMean,
  isPlainObject,
  type Origin,
  originName,
  quotable,
  readConfigFile,
} from './config-sources.ts'
import type { ChangeLogOptions } from './engine/changes.ts'
import type { EngineLimits } from './engine/limits.ts'
import { changeLogOf, FEED_ENV, FeedSettings, type WatchConfig, watchOf } from './feed-settings.ts'
import { constantCase, integerOption, listenAddressOption, listOption, routesOption } from './options.ts'
import { type Mount, RouteSpecError, resolveMounts } from './routes.ts'
import {
  BACKUP_ENV,
  type BackupSchedule,
  BackupSettings,
  backupSchedule,
  STORE_ENV,
  STORE_FLAGS,
  type StoreConfig,
  StoreSettings,
  storeOf,
} from './store-settings.ts'

export { ConfigError } from './config-sources.ts'
export type { WatchConfig } from './feed-settings.ts'
export { type BackupSchedule, type StoreConfig, storeLabel } from './store-settings.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
/** json: one JSON object a line; text: readable lines; auto: text on a terminal, JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'text'

export interface Config {
  port: number
  host: string
  store: StoreConfig
  /** Serving processes sharing the port (KVGATE_WORKERS); 1 is this process alone. */
  workers: number
  /** Bearer token of the /admin API; null switches the API off. */
  adminToken: string | null
  mounts: Mount[]
  logLevel: LogLevel
  logFormat: LogFormat
  /** Largest request body the HTTP server accepts at all; dialects set lower limits of their own. */
  maxBodyBytes: number
  shutdownTimeoutMs: number
  /** How long a store operation may take before it fails as unavailable. */
  storeTimeoutMs: number
  sweepIntervalMs: number
  /** Peers whose X-Forwarded-For is believed. */
  trustedProxies: string[]
  engineLimits: Partial<EngineLimits>
  /** The change log's retention (the watch feed); null when switched off (KVGATE_CHANGE_LOG=false). */
  changeLog: ChangeLogOptions | null
  watch: WatchConfig
  /** Each enabled dialect's options, validated by its own schema. */
  dialects: Record<string, Record<string, unknown>>
  /** Backups the serving process takes of the embedded store (KVGATE_BACKUP_INTERVAL), or null. */
  backup: BackupSchedule | null
  /** The config file read (--config or KVGATE_CONFIG), or null. */
  configFile: string | null
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
  ...STORE_FLAGS,
  workers: { type: 'string' },
  routes: { type: 'string' },
  dialects: { type: 'string' },
  log: { type: 'string' },
  'log-format': { type: 'string' },
  config: { type: 'string' },
} as const

/** Environment variable of each setting (flags use the kebab-case name in FLAGS). */
const ENV: Record<string, string> = {
  port: 'KVGATE_PORT',
  host: 'KVGATE_HOST',
  ...STORE_ENV,
  workers: 'KVGATE_WORKERS',
  adminToken: 'KVGATE_ADMIN_TOKEN',
  routes: 'KVGATE_ROUTES',
  dialects: 'KVGATE_DIALECTS',
  log: 'KVGATE_LOG',
  logFormat: 'KVGATE_LOG_FORMAT',
  maxBodyBytes: 'KVGATE_MAX_BODY_BYTES',
  shutdownTimeoutMs: 'KVGATE_SHUTDOWN_TIMEOUT_MS',
  storeTimeoutMs: 'KVGATE_STORE_TIMEOUT_MS',
  sweepIntervalMs: 'KVGATE_SWEEP_INTERVAL_MS',
  trustedProxies: 'KVGATE_TRUSTED_PROXIES',
  maxKeyBytes: 'KVGATE_MAX_KEY_BYTES',
  maxValueBytes: 'KVGATE_MAX_VALUE_BYTES',
  ...BACKUP_ENV,
  ...FEED_ENV,
}

/**
 * KVGATE_* variables read outside this module: the config file's path, `kvgate admin --url`, and
 * the number a worker process is given by the process that started it (core/workers.ts).
 */
const OTHER_VARIABLES = ['KVGATE_CONFIG', 'KVGATE_URL', 'KVGATE_WORKER']

/** The config file's key for per-dialect options: {"dialectOptions": {"lightkv": {...}}}. */
export const DIALECT_OPTIONS_KEY = 'dialectOptions'

const CoreSchema = v.object({
  port: integerOption(8787, { max: 65535 }),
  host: listenAddressOption('0.0.0.0'),
  ...StoreSettings,
  workers: integerOption(1, { min: 1, max: 1024 }),
  adminToken: v.optional(v.pipe(v.string('must be text'), v.minLength(16, 'must be at least 16 characters'))),
  routes: routesOption(),
  dialects: v.optional(listOption()),
  log: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  logFormat: v.optional(v.picklist(['auto', 'json', 'text'], 'must be auto, json or text'), 'auto'),
  maxBodyBytes: integerOption(128 * 1024 * 1024, { min: 1024 }),
  shutdownTimeoutMs: integerOption(10_000),
  storeTimeoutMs: integerOption(2_000, { min: 10 }),
  sweepIntervalMs: integerOption(30_000),
  trustedProxies: listOption(),
  maxKeyBytes: v.optional(integerOption(4096, { min: 1 })),
  maxValueBytes: v.optional(integerOption(32 * 1024 * 1024, { min: 1 })),
  ...BackupSettings,
  ...FeedSettings,
})

const CORE_SETTINGS = Object.keys(CoreSchema.entries)

export interface ConfigSources {
  env: Record<string, string | undefined>
  argv: string[]
  dialects: DialectSettings[]
}

export function loadConfig({ env, argv, dialects }: ConfigSources): Config {
  const flags = parseFlags(argv)
  const filePath = flags.config ?? env.KVGATE_CONFIG
  const file = readConfigFile(filePath)
  const known = dialects.map((dialect) => dialect.name)
  checkFile(file, filePath ?? '', dialects)
  checkVariables(env, knownVariables(dialects))

  const raw: Record<string, unknown> = {}
  const origins: Record<string, Origin> = {}
  const set = (name: string, value: unknown, origin: Origin) => {
    raw[name] = value
    origins[name] = origin
  }
  for (const name of CORE_SETTINGS)
    if (name in file) set(name, file[name], { kind: 'file', path: filePath!, key: name })
  // An empty variable counts as unset, as in most shells' ${VAR:-default}.
  for (const [name, variable] of Object.entries(ENV))
    if (env[variable]) set(name, env[variable], { kind: 'env', variable })
  for (const [flag, value] of Object.entries(flags))
    if (flag !== 'config') set(camelCase(flag), value, { kind: 'flag', flag })
  const where = (name: string) => {
    const origin = origins[name]
    return origin ? originName(origin) : (ENV[name] ?? name)
  }

  const core = parse(CoreSchema, raw, where)
  const store = storeOf(core, where)
  if (core.workers > 1 && store.type === 'sqlite') {
    throw new ConfigError(
      `${where('workers')}: several workers need Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS): the embedded store is served by one process, whose caches and writer no other process sees`,
    )
  }
  const enabled = core.dialects ?? known
  const unknown = enabled.find((name) => !known.includes(name))
  if (unknown) {
    throw new ConfigError(
      `${where('dialects')}: unknown dialect "${unknown}"${didYouMean(unknown, known, (name) => `"${name}"`)} (known: ${known.join(', ')})`,
    )
  }

  let mounts: Mount[]
  try {
    mounts = resolveMounts(
      core.routes,
      enabled,
      Object.fromEntries(dialects.map((dialect) => [dialect.name, dialect.defaultPrefix])),
    )
  } catch (error) {
    if (error instanceof RouteSpecError) throw new ConfigError(`${where('routes')}: ${error.message}`)
    throw error
  }

  const fileOptions = (file[DIALECT_OPTIONS_KEY] ?? {}) as Record<string, Record<string, unknown>>
  const dialectOptions: Config['dialects'] = {}
  for (const dialect of dialects.filter((each) => enabled.includes(each.name))) {
    const input: Record<string, unknown> = {}
    const optionOrigins: Record<string, Origin> = {}
    for (const [option, value] of Object.entries(fileOptions[dialect.name] ?? {})) {
      input[option] = value
      optionOrigins[option] = {
        kind: 'file',
        path: filePath!,
        key: `${DIALECT_OPTIONS_KEY}.${dialect.name}.${option}`,
      }
    }
    const prefix = dialectPrefix(dialect.name)
    for (const [variable, value] of Object.entries(env)) {
      if (!variable.startsWith(prefix) || !value) continue
      const option = camelCase(variable.slice(prefix.length).toLowerCase().replace(/_/g, '-'))
      input[option] = value
      optionOrigins[option] = { kind: 'env', variable }
    }
    dialectOptions[dialect.name] = parse(dialect.options, input, (option) => {
      const origin = optionOrigins[option]
      return origin ? originName(origin) : `${prefix}${constantCase(option)}`
    }) as Record<string, unknown>
  }

  return {
    port: core.port,
    host: core.host,
    store,
    workers: core.workers,
    adminToken: core.adminToken ?? null,
    mounts,
    logLevel: core.log,
    logFormat: core.logFormat,
    maxBodyBytes: core.maxBodyBytes,
    shutdownTimeoutMs: core.shutdownTimeoutMs,
    storeTimeoutMs: core.storeTimeoutMs,
    sweepIntervalMs: core.sweepIntervalMs,
    trustedProxies: core.trustedProxies,
    engineLimits: {
      ...(core.maxKeyBytes === undefined ? {} : { maxKeyBytes: core.maxKeyBytes }),
      ...(core.maxValueBytes === undefined ? {} : { maxValueBytes: core.maxValueBytes }),
    },
    changeLog: changeLogOf(core),
    watch: watchOf(core),
    dialects: dialectOptions,
    backup: backupSchedule(core, store, where),
    configFile: filePath || null,
  }
}

function parseFlags(argv: string[]): Partial<Record<keyof typeof FLAGS, string>> {
  try {
    return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    const unknown = /^Unknown option '(--?[^']*)'/.exec((error as Error).message)?.[1]
    if (unknown) {
      const flags = Object.keys(FLAGS).map((flag) => `--${flag}`)
      throw new ConfigError(`unknown flag ${unknown}${didYouMean(unknown, flags)}`)
    }
    throw new ConfigError((error as Error).message)
  }
}

/** The file's keys: core settings and dialectOptions, whose dialects and options must exist too. */
function checkFile(file: Record<string, unknown>, path: string, dialects: DialectSettings[]): void {
  if (isPlainObject(file.dialects)) {
    throw new ConfigError(
      `config file ${path}: "dialects" is the list of dialects to serve; their options go under "${DIALECT_OPTIONS_KEY}"`,
    )
  }
  checkKeys(file, [...CORE_SETTINGS, DIALECT_OPTIONS_KEY], { path })
  const byDialect = file[DIALECT_OPTIONS_KEY]
  if (byDialect === undefined) return
  if (!isPlainObject(byDialect)) {
    throw new ConfigError(`config file ${path}: "${DIALECT_OPTIONS_KEY}" must be an object of dialect names`)
  }
  checkKeys(
    byDialect,
    dialects.map((dialect) => dialect.name),
    { path, parent: DIALECT_OPTIONS_KEY },
  )
  for (const dialect of dialects) {
    const options = byDialect[dialect.name]
    if (options === undefined) continue
    const parent = `${DIALECT_OPTIONS_KEY}.${dialect.name}`
    if (!isPlainObject(options)) throw new ConfigError(`config file ${path}: "${parent}" must be an object`)
    const names = optionNames(dialect)
    if (names) checkKeys(options, names, { path, parent })
  }
}

/** Every KVGATE_* variable kvgate reads, every dialect's options included (enabled or not). */
function knownVariables(dialects: DialectSettings[]): Set<string> {
  const known = new Set([...Object.values(ENV), ...OTHER_VARIABLES])
  for (const dialect of dialects) {
    for (const option of optionNames(dialect) ?? [])
      known.add(`${dialectPrefix(dialect.name)}${constantCase(option)}`)
  }
  return known
}

/** A dialect's option names, when its schema is an object schema (null: it takes any). */
function optionNames(dialect: DialectSettings): string[] | null {
  const entries = (dialect.options as { entries?: Record<string, unknown> }).entries
  return entries ? Object.keys(entries) : null
}

const dialectPrefix = (name: string) => `KVGATE_${constantCase(name)}_`

function parse<T>(schema: v.GenericSchema<unknown, T>, input: unknown, nameOf: (path: string) => string): T {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = v.getDotPath(issue) ?? ''
  const setting = path.split('.')[0]!
  // Quote what the user wrote, not what a transform made of it; never a secret.
  const given = path ? (input as Record<string, unknown>)[setting] : undefined
  const quoted = given === undefined ? null : quotable(setting, given)
  const got = quoted === null ? '' : ` (got ${quoted})`
  throw new ConfigError(`${path ? `${nameOf(setting)}: ` : ''}${issue.message}${got}`)
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
