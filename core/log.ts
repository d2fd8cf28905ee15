// JSON-lines logging. Lines are buffered and written together, so access logs cost one write per
// burst of requests instead of one per request.

import type { LogLevel } from './config.ts'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }
const FLUSH_BYTES = 64 * 1024

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /** A logger that adds these fields to every line. */
  child(fields: Record<string, unknown>): Logger
  /** Whether lines of this level are written (so a caller can skip building them). */
  enabled(level: LogLevel): boolean
  flush(): void
}

export function createLogger(
  level: LogLevel,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Logger {
  let buffer = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (buffer === '') return
    const text = buffer
    buffer = ''
    write(text)
  }
  const emit = (lineLevel: LogLevel, message: string, fields: Record<string, unknown>) => {
    if (RANK[lineLevel] < RANK[level]) return
    buffer += `${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...fields }, errorsAsText)}\n`
    if (buffer.length >= FLUSH_BYTES || lineLevel === 'error') flush()
    else if (!scheduled) {
      scheduled = true
      setTimeout(flush, 20)
    }
  }
  // A line below the level is dropped before its fields are copied: access lines come per request.
  const on = (lineLevel: LogLevel) => RANK[lineLevel] >= RANK[level]
  const make = (base: Record<string, unknown>): Logger => ({
    debug: (message, fields) => {
      if (on('debug')) emit('debug', message, { ...base, ...fields })
    },
    info: (message, fields) => {
      if (on('info')) emit('info', message, { ...base, ...fields })
    },
    warn: (message, fields) => {
      if (on('warn')) emit('warn', message, { ...base, ...fields })
    },
    error: (message, fields) => {
      if (on('error')) emit('error', message, { ...base, ...fields })
    },
    child: (fields) => make({ ...base, ...fields }),
    enabled: on,
    flush,
  })
  return make({})
}

/** Errors serialize as their message and stack instead of {}. */
function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (typeof value === 'bigint') return value.toString()
  return value
}
