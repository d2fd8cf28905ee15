// Logging: one JSON object a line for machines, or one readable line for a person at a terminal
// (KVGATE_LOG_FORMAT: auto picks text on a TTY). Lines are buffered and written together, so access
// logs cost one write per burst of requests instead of one per request.

import { Buffer } from 'node:buffer'
import type { LogFormat, LogLevel } from './config.ts'

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

export interface LoggerOptions {
  format?: LogFormat
  write?: (text: string) => void
  /** Whether the output is a terminal, for format auto; stdout's own answer by default. */
  isTTY?: boolean
  /**
   * Write at most this many bytes at once, whole lines only (a longer line goes alone). Several
   * processes writing to one pipe (workers) then never split each other's lines: a write of up to
   * PIPE_BUF bytes (4096 on Linux) to a pipe is never interleaved with another.
   */
  writeLimit?: number
}

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((text: string) => process.stdout.write(text))
  const tty = options.isTTY ?? Boolean(process.stdout.isTTY)
  const format = options.format === 'text' || (options.format !== 'json' && tty) ? textLine : jsonLine
  let buffer = ''
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (buffer === '') return
    const text = buffer
    buffer = ''
    if (options.writeLimit === undefined) write(text)
    else for (const piece of wholeLines(text, options.writeLimit)) write(piece)
  }
  const emit = (lineLevel: LogLevel, message: string, fields: Record<string, unknown>) => {
    buffer += format(new Date().toISOString(), lineLevel, message, fields)
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

/** `text` (lines, each ending in \n) in pieces of whole lines of at most `limit` bytes, bar longer lines. */
function wholeLines(text: string, limit: number): string[] {
  if (text.length * 3 <= limit) return [text]
  const pieces: string[] = []
  let piece = ''
  let pieceBytes = 0
  for (const line of text.split(/(?<=\n)/)) {
    const bytes = Buffer.byteLength(line)
    if (pieceBytes + bytes > limit && piece !== '') {
      pieces.push(piece)
      piece = ''
      pieceBytes = 0
    }
    piece += line
    pieceBytes += bytes
  }
  if (piece !== '') pieces.push(piece)
  return pieces
}

function jsonLine(time: string, level: LogLevel, message: string, fields: Record<string, unknown>): string {
  return `${JSON.stringify({ time, level, msg: message, ...fields }, errorsAsText)}\n`
}

/** `2026-01-02T03:04:05.678Z INFO  listening port=8787 host=0.0.0.0`: one line, whatever the fields hold. */
function textLine(time: string, level: LogLevel, message: string, fields: Record<string, unknown>): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${oneLine(message)}`
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue
    line += ` ${name}=${textValue(value)}`
  }
  return `${line}\n`
}

function textValue(value: unknown): string {
  // The stack too, escaped onto the line: a person reading a terminal is usually debugging.
  if (value instanceof Error) return JSON.stringify(value.stack ?? `${value.name}: ${value.message}`)
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)
  if (typeof value === 'bigint') return value.toString()
  // Arrays and objects as compact JSON, which never holds a raw line break.
  return JSON.stringify(value, errorsAsText) ?? String(value)
}

const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ')

/** Errors serialize as their message and stack instead of {}. */
function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (typeof value === 'bigint') return value.toString()
  return value
}
