// KVGATE_WORKERS=N: N serving processes share one port (SO_REUSEPORT, which spreads connections
// over them on Linux), so kvgate on Redis can use N cores. The process started by the user serves
// nothing itself: it checks that the port is free, starts the workers (kvgate again, with
// KVGATE_WORKER set), replaces a worker that dies, and stops them all on SIGTERM or SIGINT. Each
// worker has its own caches and its own connections to Redis; what they share lives in Redis.

import { type ChildProcess, spawn } from 'node:child_process'
import { onLauncherExit } from './cli/launcher-watch.ts'
import { type Config, ConfigError } from './config.ts'
import { createLogger, type Logger } from './log.ts'
import { listenFetch, onShutdownSignal, ownCommand, reusePortSpreads } from './runtime.ts'

/** Tells a worker its number; set only by the process that starts the workers. */
export const WORKER_VARIABLE = 'KVGATE_WORKER'

/** A wait before a dead worker is replaced, so a worker that keeps dying cannot spin the machine. */
const REPLACE_DELAY_MS = 1000

/** A worker could not be started: the group stops, and kvgate exits with this message. */
export class WorkerError extends Error {}

/** This process's number among the workers, or null when it is no worker. */
export function workerNumber(env: Record<string, string | undefined>): number | null {
  const number = env[WORKER_VARIABLE]
  return number !== undefined && /^\d+$/.test(number) ? Number(number) : null
}

/** A worker tells the process that started it that it listens. */
export function reportListening(): void {
  process.send?.({ kvgate: 'listening' })
}

/**
 * Calls `handler` once the process that started this worker is gone, however it ended: the channel
 * between them closes then (at once, when it is gone already).
 */
export function onStarterGone(handler: () => void): void {
  if (!process.connected) handler()
  else process.once('disconnect', handler)
}

/** Starts `config.workers` workers and looks after them until a signal stops them all. */
export async function runWorkers(config: Config): Promise<void> {
  if (!reusePortSpreads) {
    throw new ConfigError(
      'KVGATE_WORKERS (--workers) needs Bun on Linux, where processes listening on one port share its connections',
    )
  }
  if (config.port === 0) throw new ConfigError('KVGATE_WORKERS (--workers) needs a port other than 0')
  // Held for a moment without reusePort: a port that something else listens on is an error here,
  // as it is without workers, instead of a port that the workers would share with it.
  await listenFetch(async () => new Response(), {
    port: config.port,
    hostname: config.host,
    maxRequestBodySize: 0,
  }).stop()

  const log = createLogger(config.logLevel, { format: config.logFormat })
  const supervisor = new Supervisor(config, log)
  onShutdownSignal((signal) => void supervisor.stop(signal))
  onLauncherExit(process.env, () => void supervisor.stop('parent exited'))
  await supervisor.start()
  log.info('workers listening', { workers: config.workers, port: config.port, host: config.host })
  log.flush()
}

class Supervisor {
  private readonly workers = new Map<number, ChildProcess>()
  private readonly command = ownCommand()
  private stopping = false

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** Starts every worker; when one fails to, stops the others and throws why. */
  async start(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.config.workers }, (_, index) => this.startWorker(index)))
    } catch (error) {
      await this.stopWorkers()
      throw error
    }
  }

  /** Stops every worker (SIGTERM, each finishes its requests), then this process. */
  async stop(reason: string, code = 0): Promise<void> {
    if (this.stopping) return
    this.log.info('shutting down', { signal: reason, workers: this.workers.size })
    this.log.flush()
    const clean = await this.stopWorkers()
    this.log.info('stopped')
    this.log.flush()
    process.exit(clean ? code : 1)
  }

  /** Resolves once the worker listens; rejects when it ends before. */
  private startWorker(index: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const [program, ...args] = this.command
      const child = spawn(program!, args, {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, [WORKER_VARIABLE]: String(index) },
      })
      this.workers.set(index, child)
      let listening = false
      child.on('message', (message: { kvgate?: string }) => {
        if (message?.kvgate !== 'listening' || listening) return
        listening = true
        resolve()
      })
      child.on('error', (error) => {
        if (!listening) reject(new WorkerError(`worker ${index} could not be started: ${error.message}`))
      })
      child.on('exit', (code, signal) => {
        if (this.workers.get(index) === child) this.workers.delete(index)
        if (this.stopping) return
        const how = signal ? `killed by ${signal}` : `exit code ${code}`
        if (!listening) return reject(new WorkerError(`worker ${index} ended before it listened (${how})`))
        this.replace(index, how)
      })
    })
  }

  private replace(index: number, how: string): void {
    this.log.error('worker ended; starting another', { worker: index, how })
    setTimeout(() => {
      if (this.stopping) return
      this.startWorker(index).catch((error: Error) => {
        this.log.error('a worker could not be replaced; stopping', { worker: index, error: error.message })
        void this.stop('worker failed', 1)
      })
    }, REPLACE_DELAY_MS)
  }

  /** SIGTERM to every worker, SIGKILL to any still running after the shutdown timeout; true when none was killed. */
  private async stopWorkers(): Promise<boolean> {
    this.stopping = true
    const running = [...this.workers.values()].filter(
      (child) => child.exitCode === null && child.signalCode === null,
    )
    const exits = running.map((child) => new Promise((resolve) => child.once('exit', resolve)))
    for (const child of running) child.kill('SIGTERM')
    let killed = false
    const deadline = setTimeout(() => {
      killed = true
      for (const child of running) child.kill('SIGKILL')
    }, this.config.shutdownTimeoutMs + 2000)
    await Promise.all(exits)
    clearTimeout(deadline)
    return !killed
  }
}
