#!/usr/bin/env bun
// The kvgate command: `kvgate` (serve, the default), `kvgate admin ...`, `kvgate selftest`.

import { dialects } from '../plugins/index.ts'
import { ADMIN_USAGE, runAdmin } from './cli/admin.ts'
import { fail, UsageError } from './cli/fail.ts'
import { onLauncherExit } from './cli/launcher-watch.ts'
import { ConfigError, loadConfig, storeLabel } from './config.ts'
import { StoreOpenError } from './engine/store.ts'
import { createKvgate } from './kvgate.ts'
import { AddressInUseError, isBun, type Listener, onShutdownSignal } from './runtime.ts'
import { onStarterGone, reportListening, runWorkers, WorkerError, workerNumber } from './workers.ts'

const USAGE = `usage:
  kvgate [serve] [--port N] [--host H] [--data FILE] [--redis-url URL] [--redis-cluster-nodes H:P,...]
                 [--routes SPEC] [--dialects LIST] [--log LEVEL] [--log-format auto|json|text]
                 [--redis-sentinels H:P,... --redis-sentinel-master NAME] [--workers N]
                 [--sqlite-sync off|normal|full] [--config FILE]
  kvgate admin accounts ...   (kvgate admin --help)
  kvgate selftest [flags]     checks the store (a probe key), the Lua runtime and the port, with serve's settings
  kvgate healthcheck [--url URL] [--timeout-ms N]   exits 0 when a running kvgate's /healthz answers 200
every setting also reads from the environment (KVGATE_PORT, KVGATE_DATA, REDIS_URL, ...): see README.md`

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig({ env: process.env, argv, dialects })
  // With several workers, this process starts them; each of them comes back here as a worker.
  const worker = config.workers > 1 ? workerNumber(process.env) : null
  if (config.workers > 1 && worker === null) return runWorkers(config)
  const kvgate = createKvgate(config, dialects, worker === null ? {} : { worker })
  const listener = listenOrExplain(
    () => kvgate.server.listen({ port: config.port, hostname: config.host, reusePort: worker !== null }),
    config,
  )
  kvgate.log.info('listening', {
    port: listener.port,
    host: config.host,
    store: config.store.type,
    runtime: isBun ? 'bun' : 'deno',
    mounts: config.mounts.map((mount) => `${mount.dialect}=${mount.host ?? ''}${mount.prefix}`),
  })
  kvgate.log.flush()
  if (worker !== null) reportListening()
  // The server starts even so: requests answer 503 until the store is reachable.
  kvgate.engine.ping().catch((error: unknown) => {
    kvgate.log.warn('store unreachable at start; requests answer 503 until it is reachable', {
      store: storeLabel(config.store),
      error: (error as Error)?.message ?? String(error),
    })
    kvgate.log.flush()
  })

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    kvgate.log.info('shutting down', { signal })
    const deadline = setTimeout(() => {
      kvgate.log.error('in-flight requests did not finish in time; exiting anyway')
      kvgate.log.flush()
      process.exit(1)
    }, config.shutdownTimeoutMs)
    await listener.stop()
    await kvgate.close()
    clearTimeout(deadline)
    kvgate.log.info('stopped')
    kvgate.log.flush()
    process.exit(0)
  }
  onShutdownSignal(shutdown)
  if (worker === null) onLauncherExit(process.env, () => shutdown('parent exited'))
  else onStarterGone(() => shutdown('parent exited'))
}

/** Starts listening; a host this machine cannot listen on is a configuration error, said plainly. */
function listenOrExplain(start: () => Listener, config: { host: string; port: number }): Listener {
  try {
    return start()
  } catch (error) {
    if (error instanceof AddressInUseError) throw error
    const reason = (error as Error)?.message ?? String(error)
    throw new ConfigError(
      `cannot listen on ${config.host} port ${config.port} (${reason}): the host must be an address of this machine`,
    )
  }
}

async function selftest(argv: string[]): Promise<void> {
  const { runSelftest } = await import('./cli/selftest.ts')
  const report = await runSelftest(argv, process.env, dialects)
  process.stdout.write(report.text)
  process.exit(report.ok ? 0 : 1)
}

async function healthcheck(argv: string[]): Promise<void> {
  const { runHealthcheck } = await import('./cli/healthcheck.ts')
  const result = await runHealthcheck(argv, process.env, dialects)
  process.stdout.write(`${result.line}\n`)
  process.exit(result.ok ? 0 : 1)
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'admin':
      if (rest.length === 0 || rest.includes('--help')) {
        process.stdout.write(`${ADMIN_USAGE}\n`)
        return
      }
      {
        const output = await runAdmin(rest, process.env, dialects)
        if (output !== null) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
      }
      return
    case 'selftest':
      return selftest(rest)
    case 'healthcheck':
      return healthcheck(rest)
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`)
      return
    case 'serve':
      return serve(rest)
    default:
      if (command !== undefined && !command.startsWith('-'))
        throw new UsageError(`unknown command "${command}"\n${USAGE}`)
      return serve(argv)
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = [ConfigError, StoreOpenError, AddressInUseError, UsageError, WorkerError].some(
    (type) => error instanceof type,
  )
  if (known) fail((error as Error).message)
  if (process.env.KVGATE_LOG === 'debug') console.error(error)
  fail(`unexpected error: ${(error as Error)?.message ?? String(error)}`)
})
