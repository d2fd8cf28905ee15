// Assembles a kvgate from a Config: engine, accounts, rate limiter, logs, metrics and the server.
// cli/serve.ts adds the listener and signals; tests use this directly and call fetch() without a port.

import { Accounts } from './auth/accounts.ts'
import type { Config } from './config.ts'
import { accountKinds, type Dialect } from './dialect.ts'
import type { Backend } from './engine/backend.ts'
import { Engine } from './engine/engine.ts'
import { openBackend } from './engine/store.ts'
import type { Clock } from './engine/types.ts'
import { createLogger, type Logger } from './log.ts'
import { Metrics } from './metrics.ts'
import { RateLimiter } from './rate-limit.ts'
import { runtimeLabel } from './runtime.ts'
import { ScriptSandbox } from './scripting/sandbox.ts'
import { createServer, type Server } from './server.ts'
import { VERSION } from './version.ts'

export { accountKinds } from './dialect.ts'

/** Writes of up to this many bytes to a pipe are atomic on Linux. */
const PIPE_BUF_BYTES = 4096

export interface Kvgate {
  config: Config
  engine: Engine
  accounts: Accounts
  server: Server
  log: Logger
  scripting: ScriptSandbox
  close(): Promise<void>
}

export interface KvgateOptions {
  clock?: Clock
  log?: Logger
  /** A store to use instead of the one config names: tests hand in one that fails on purpose. */
  backend?: Backend
  /** This process's number among several workers (core/workers.ts): every log line names it. */
  worker?: number
}

export function createKvgate(config: Config, dialects: Dialect[], options: KvgateOptions = {}): Kvgate {
  const log = options.log ?? processLogger(config, options.worker)
  const metrics = new Metrics({
    build: { version: VERSION, runtime: runtimeLabel(), backend: config.store.type },
    storeUp: () =>
      engine.ping().then(
        () => true,
        () => false,
      ),
  })
  const backend =
    options.backend ??
    openBackend(config.store, {
      timeoutMs: config.storeTimeoutMs,
      changeLog: config.changeLog,
    })
  const engine = new Engine(backend, {
    clock: options.clock,
    limits: config.engineLimits,
    sweepIntervalMs: config.sweepIntervalMs,
    onBackgroundError: (error) => log.error('background maintenance failed', { error }),
    timings: metrics.storeTimings,
  })
  const accounts = new Accounts(engine, accountKinds(dialects))
  const scripting = new ScriptSandbox()
  const server = createServer({
    config,
    engine,
    dialects,
    accounts,
    rateLimit: new RateLimiter(engine),
    log,
    metrics,
    scripting,
  })
  return {
    config,
    engine,
    accounts,
    server,
    log,
    scripting,
    async close() {
      scripting.close()
      metrics.close()
      await engine.close()
      log.flush()
    },
  }
}

function processLogger(config: Config, worker: number | undefined): Logger {
  if (worker === undefined) return createLogger(config.logLevel, { format: config.logFormat })
  // Workers share one stdout: each writes whole lines, in pieces that a pipe never interleaves.
  return createLogger(config.logLevel, { format: config.logFormat, writeLimit: PIPE_BUF_BYTES }).child({
    worker,
  })
}
