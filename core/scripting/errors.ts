// Typed errors of the Lua sandbox. Each says what went wrong with a script, never how HTTP answers
// it: a dialect maps them (KVdb: syntax 400 on upload, time 503, everything else 500).

export type ScriptErrorKind = 'syntax' | 'runtime' | 'memory' | 'time' | 'output'

export class ScriptError extends Error {
  constructor(
    readonly kind: ScriptErrorKind,
    message: string,
  ) {
    super(message)
    this.name = 'ScriptError'
  }
}

/** The source does not compile; the message is Lua's, e.g. `counter:3: 'end' expected near <eof>`. */
export class ScriptSyntaxError extends ScriptError {
  constructor(message: string) {
    super('syntax', message)
  }
}

/** An uncaught Lua error; the message is the error value as text, with its position. */
export class ScriptRuntimeError extends ScriptError {
  constructor(message: string) {
    super('runtime', message)
  }
}

export class ScriptMemoryError extends ScriptError {
  constructor(limitBytes: number) {
    super('memory', `script exceeded its memory limit of ${formatBytes(limitBytes)}`)
  }
}

/** The script ran longer than its CPU time (Lua execution) or its wall-clock time allows. */
export class ScriptTimeoutError extends ScriptError {
  constructor(what: 'CPU time' | 'wall-clock time', limitMs: number) {
    super('time', `script exceeded its ${what} limit of ${limitMs} ms`)
  }
}

export class ScriptOutputError extends ScriptError {
  constructor(limitBytes: number) {
    super('output', `script output exceeded ${formatBytes(limitBytes)}`)
  }
}

/**
 * Thrown by a host function (kvdb.get, ...) to raise a Lua error in the script, which the script may
 * catch with pcall. Any other error thrown by a host function aborts the run and reaches the caller.
 */
export class HostCallError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HostCallError'
  }
}

export const isScriptError = (error: unknown): error is ScriptError => error instanceof ScriptError

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}
