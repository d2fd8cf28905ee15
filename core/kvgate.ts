// Assembles a kvgate from a Config: engine, accounts, rate limiter, logs, metrics and the server.
// main.ts adds the listener and signals; tests use this directly and call fetch() without a port.

import { type AccountKind, Accounts } from './auth/accounts.ts'
import type { Config } from './config.ts'
import type { Dialect } from './dialect.ts'
import { Engine } from './engine/engine.ts'
import { openBackend } from './engine/store.ts'
import type { Clock } from './engine/types.ts'
import { createLogger, type Logger } from './log.ts'
import { Metrics } from './metrics.ts'
import { RateLimiter } from './rate-limit.ts'
import { ScriptSandbox } from './scripting/sandbox.ts'
import { createServer, type Server } from './server.ts'

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
  /** This process's number among several workers (core/workers.ts): every log line names it. */
  worker?: number
}

export function createKvgate(config: Config, dialects: Dialect[], options: KvgateOptions = {}): Kvgate {
  const log = options.log ?? processLogger(config, options.worker)
  const engine = new Engine(openBackend(config.store, { timeoutMs: config.storeTimeoutMs }), {
    clock: options.clock,
    limits: config.engineLimits,
    sweepIntervalMs: config.sweepIntervalMs,
    onBackgroundError: (error) => log.error('background maintenance failed', { error }),
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
    metrics: new Metrics(),
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

/** The account kinds of every known dialect, enabled or not: the operator may prepare accounts ahead. */
export function accountKinds(dialects: Dialect[]): Map<string, AccountKind> {
  return new Map(
    dialects.flatMap((dialect) => (dialect.accounts ? [[dialect.name, dialect.accounts] as const] : [])),
  )
}
