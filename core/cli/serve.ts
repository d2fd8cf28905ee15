// `kvgate serve` (the default command): builds kvgate from the configuration, listens, and stops
// cleanly on SIGTERM, SIGINT or the end of the npm or npx that started it; with KVGATE_WORKERS, starts
// that many such processes on one port instead (core/workers.ts).

import { dialects } from '../../plugins/index.ts'
import { ConfigError, loadConfig, storeLabel } from '../config.ts'
import { createKvgate } from '../kvgate.ts'
import { AddressInUseError, isBun, type Listener, onShutdownSignal } from '../runtime.ts'
import { endAllWatches } from '../watch/registry.ts'
import { onStarterGone, reportListening, runWorkers, workerNumber } from '../workers.ts'
import { onLauncherExit } from './launcher-watch.ts'

export async function serve(argv: string[]): Promise<void> {
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

  const stopBackups =
    config.backup && config.store.type === 'sqlite'
      ? (await import('../backup/schedule.ts')).scheduleBackups(config.backup, config.store.path, kvgate.log)
      : () => {}

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    stopBackups()
    kvgate.log.info('shutting down', { signal })
    const deadline = setTimeout(() => {
      kvgate.log.error('in-flight requests did not finish in time; exiting anyway')
      kvgate.log.flush()
      process.exit(1)
    }, config.shutdownTimeoutMs)
    // Open watches would hold the stop until the deadline; their clients resume elsewhere by revision.
    endAllWatches()
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
