// `kvgate migrate --from DIALECT ...`: copies a container of one of the five hosted services, through
// its public API, into a kvgate container of the same dialect on the configured store (core/migrate/).
// Credentials of an account made with --create-account are printed once. Ctrl-C stops after the keys
// under way and says how to resume; on a terminal a progress line runs meanwhile, otherwise the end
// is one JSON line.

import { existsSync } from 'node:fs'
import { Accounts } from '../auth/accounts.ts'
import { type DialectSettings, loadConfig } from '../config.ts'
import { accountKinds, type Dialect } from '../dialect.ts'
import { Engine } from '../engine/engine.ts'
import { isEngineError } from '../engine/errors.ts'
import { openBackend } from '../engine/store.ts'
import { SourceError, SourceHttp } from '../migrate/http.ts'
import { type MigrationSummary, migrate } from '../migrate/run.ts'
import type { SourceModule } from '../migrate/source.ts'
import { UsageError } from './fail.ts'
import { progressLine } from './progress.ts'

const SOURCES: Record<string, () => Promise<SourceModule>> = {
  'workers-kv': async () => (await import('../migrate/workers-kv.ts')).workersKvSource,
  kvdb: async () => (await import('../migrate/kvdb.ts')).kvdbSource,
  cloudkv: async () => (await import('../migrate/cloudkv.ts')).cloudkvSource,
  lightkv: async () => (await import('../migrate/lightkv.ts')).lightkvSource,
  rocketstack: async () => (await import('../migrate/rocketstack.ts')).rocketstackSource,
}

const COMMON_FLAGS: Record<string, string> = {
  from: 'workers-kv | kvdb | cloudkv | lightkv | rocketstack',
  'base-url': "the service's API (default: the service's own)",
  account: 'the kvgate account that receives the data',
  'create-account': 'make a new kvgate account for it (its credentials are printed once)',
  'account-name': 'the name of that account',
  concurrency: 'keys read and written at once (default 8)',
  checkpoint: 'where progress is kept for a resume (default: kvgate-migrate-DIALECT-CONTAINER.json here)',
}
const STORE_FLAGS = [
  'data',
  'sqlite-sync',
  'redis-url',
  'redis-cluster-nodes',
  'redis-sentinels',
  'redis-sentinel-master',
  'config',
]
const BOOLEAN_FLAGS = new Set(['create-account'])

export const MIGRATE_USAGE = `usage: kvgate migrate --from DIALECT [source flags] [--account ID | --create-account] [flags]
  ${Object.entries(COMMON_FLAGS)
    .map(([flag, what]) => `--${flag}: ${what}`)
    .join('\n  ')}
source flags: kvgate migrate --from DIALECT --help; store flags as for serve (--data, --redis-url, --config ...)`

export interface MigrateIo {
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
  signal: AbortSignal
}

/** Runs the command; the exit code: 0 done, 130 interrupted. */
export async function runMigrate(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: Dialect[],
  io: MigrateIo,
): Promise<number> {
  const flags = parseFlags(argv)
  const from = flags.from
  if (flags.help && from === undefined) {
    io.stdout.write(`${MIGRATE_USAGE}\n`)
    return 0
  }
  if (typeof from !== 'string' || !(from in SOURCES)) {
    throw new UsageError(`--from must be one of ${Object.keys(SOURCES).join(', ')}\n${MIGRATE_USAGE}`)
  }
  const module = await SOURCES[from]!()
  if (flags.help) {
    io.stdout.write(`${sourceUsage(module)}\n`)
    return 0
  }
  for (const flag of Object.keys(flags)) {
    if (!(flag in COMMON_FLAGS) && !(flag in module.flags) && !STORE_FLAGS.includes(flag)) {
      throw new UsageError(`--${flag} is not a flag of kvgate migrate --from ${from}\n${sourceUsage(module)}`)
    }
  }
  if (flags['create-account'] && typeof flags.account === 'string')
    throw new UsageError('give --account or --create-account, not both')
  const concurrency = Number(flags.concurrency ?? 8)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new UsageError('--concurrency must be a whole number from 1 to 256')

  const storeArgv = STORE_FLAGS.flatMap((flag) =>
    typeof flags[flag] === 'string' ? [`--${flag}`, flags[flag] as string] : [],
  )
  const config = loadConfig({ env, argv: storeArgv, dialects: dialects as DialectSettings[] })
  const baseUrl = (typeof flags['base-url'] === 'string' ? flags['base-url'] : module.defaultBaseUrl).replace(
    /\/+$/,
    '',
  )
  const clients: SourceHttp[] = []
  const http = (headers: Record<string, string>) => {
    const client = new SourceHttp(baseUrl, headers, { signal: io.signal })
    clients.push(client)
    return client
  }
  const engine = new Engine(openBackend(config.store, { timeoutMs: config.storeTimeoutMs }), {
    sweepIntervalMs: 0,
    limits: config.engineLimits,
  })
  const progress = progressLine(io.stderr, 'keys')
  let summary: MigrationSummary
  let checkpoint: string | null = null
  try {
    const source = module.open(flags, http)
    checkpoint =
      typeof flags.checkpoint === 'string'
        ? flags.checkpoint
        : `kvgate-migrate-${from}-${source.container.replace(/[^A-Za-z0-9_-]/g, '_')}.json`
    summary = await migrate(
      {
        dialect: from,
        source,
        engine,
        accounts: new Accounts(engine, accountKinds(dialects)),
        checkpointPath: checkpoint,
        concurrency,
        accountId: typeof flags.account === 'string' ? flags.account : null,
        createAccount: flags['create-account'] === true,
        accountName: typeof flags['account-name'] === 'string' ? flags['account-name'] : null,
        signal: io.signal,
        onCreated: (credentials) =>
          io.stdout.write(`${JSON.stringify({ created_account: credentials }, null, 2)}\n`),
        onProgress: (count, total) => progress.update(count, total),
      },
      () => ({
        throttled: clients.reduce((sum, client) => sum + client.throttled, 0),
        requests: clients.reduce((sum, client) => sum + client.requests, 0),
      }),
    )
  } catch (error) {
    progress.done()
    if (error instanceof SourceError || isEngineError(error))
      throw new UsageError(
        `migrate stopped: ${error.message}${checkpoint && existsSync(checkpoint) ? `; once that is fixed, run the same command again to resume from ${checkpoint}` : ''}`,
      )
    throw error
  } finally {
    await engine.close()
  }
  progress.done()
  if (summary.interrupted) {
    io.stderr.write(
      `kvgate: migrate stopped after ${summary.copied} keys; run the same command again to resume from ${summary.checkpoint}\n`,
    )
  }
  io.stdout.write(
    `${io.stdout.isTTY ? humanSummary(summary) : JSON.stringify({ command: 'migrate', ...summary })}\n`,
  )
  return summary.interrupted ? 130 : 0
}

function humanSummary(s: MigrationSummary): string {
  const skipped =
    s.expired + s.vanished > 0 ? ` (${s.expired} expired, ${s.vanished} gone meanwhile: skipped)` : ''
  const state = s.interrupted ? 'interrupted' : 'done'
  return `${state}: ${s.copied} keys from ${s.from} ${s.container} into kvgate namespace ${s.namespace}${skipped}, ${s.keys_per_second} keys/s, ${s.throttled} throttled requests`
}

function sourceUsage(module: SourceModule): string {
  const lines = Object.entries(module.flags).map(([flag, what]) => `  --${flag}: ${what}`)
  return `kvgate migrate --from ${module.dialect} (default --base-url ${module.defaultBaseUrl}):\n${lines.join('\n')}`
}

/** `--name value`, `--name=value`, and the boolean flags; anything else is a usage error. */
function parseFlags(argv: string[]): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') {
      flags.help = true
      continue
    }
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg)
    if (!match) throw new UsageError(`unexpected "${arg}"\n${MIGRATE_USAGE}`)
    const [, name, inline] = match as unknown as [string, string, string | undefined]
    if (BOOLEAN_FLAGS.has(name)) flags[name] = true
    else if (inline !== undefined) flags[name] = inline
    else if (i + 1 < argv.length) flags[name] = argv[++i]!
    else throw new UsageError(`--${name} needs a value`)
  }
  return flags
}
