// How the command line reports a problem: one line on stderr and a non-zero exit, never a stack trace.

export class UsageError extends Error {}

export function fail(message: string, code = 1): never {
  process.stderr.write(`kvgate: ${message}\n`)
  process.exit(code)
}
