// Child processes for tests: kvgate itself (from source, with Bun or Deno) and helpers.

import { readdirSync, readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

export const BUN = process.execPath
export const ROOT = new URL('../..', import.meta.url).pathname

/** Waits for a child to exit, with everything it wrote (both pipes are read as they fill). */
export async function outputOf(child: {
  stdout: ReadableStream<Uint8Array>
  stderr: ReadableStream<Uint8Array>
  exited: Promise<number>
}): Promise<{ stdout: string; stderr: string; code: number }> {
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { stdout, stderr, code }
}

/** Runs a kvgate command from source to its end (not on a TTY), with these settings, logging off. */
export function runKvgate(args: string[], env: Record<string, string> = {}) {
  return outputOf(
    Bun.spawn([BUN, `${ROOT}core/main.ts`, ...args], {
      env: childEnv({ KVGATE_LOG: 'silent', ...env }),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    }),
  )
}

/** Reads a child's stdout line by line until `match` returns a value. */
export async function waitForLine<T>(
  child: Subprocess<'ignore' | 'pipe', 'pipe', 'pipe' | 'inherit' | 'ignore'>,
  match: (line: string) => T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  const deadline = Date.now() + timeoutMs
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
      ])
      if (chunk === null || chunk.done) break
      buffered += decoder.decode(chunk.value, { stream: true })
      let newline = buffered.indexOf('\n')
      while (newline !== -1) {
        const found = match(buffered.slice(0, newline))
        buffered = buffered.slice(newline + 1)
        if (found !== undefined) return found
        newline = buffered.indexOf('\n')
      }
    }
  } finally {
    reader.releaseLock()
  }
  throw new Error(`no matching line within ${timeoutMs} ms (last output: ${buffered.slice(-500)})`)
}

/** Waits until GET url answers 200. */
export async function waitForHealthy(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs} ms`)
}

/** A TCP port nothing listens on right now. */
export function freePort(): number {
  const server = Bun.serve({ port: 0, fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

/**
 * The environment for a kvgate child: this process's, less the kvgate and Redis settings of the
 * shell that runs the tests (KVGATE_BINARY, REDIS_URL...), plus the test's own.
 */
export function childEnv(own: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(KVGATE_|REDIS_URL$|REDIS_CLUSTER_NODES$|REDIS_SENTINEL|REDIS_PASSWORD$)/.test(name),
    ),
  )
  return { ...inherited, ...own }
}

/** The ids of every process below `pid` (Linux /proc), children first. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const parent = parentOf(Number(entry))
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
  }
  const found: number[] = []
  const visit = (id: number) => {
    for (const child of children.get(id) ?? []) {
      found.push(child)
      visit(child)
    }
  }
  visit(pid)
  return found
}

/** Whether a process runs (a zombie waiting for its parent to reap it does not). */
export function running(pid: number): boolean {
  const state = statFields(pid)?.[0]
  return state !== undefined && state !== 'Z' && state !== 'X'
}

const parentOf = (pid: number): number | null => {
  const fields = statFields(pid)
  return fields ? Number(fields[1]) : null
}

/** /proc/PID/stat after the command name (which may hold spaces and parentheses): state, ppid, ... */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** Whether something listens on the port: a listener of our own cannot bind it then. */
export function portTaken(port: number, hostname = '127.0.0.1'): boolean {
  try {
    Bun.serve({ port, hostname, fetch: () => new Response() }).stop(true)
    return false
  } catch {
    return true
  }
}

export interface KvgateChild {
  url: string
  port: number
  process: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything it wrote to stdout and stderr, once it has exited. */
  output: Promise<{ stdout: string; stderr: string }>
  /** Waits until its stdout holds `text`. */
  printed(text: string, timeoutMs?: number): Promise<void>
  /** SIGTERM, then its exit code (SIGKILL after 15 s). */
  stop(): Promise<number>
}

/** kvgate from source on a spare port of 127.0.0.1 with these settings, once /healthz answers 200. */
export async function startKvgateChild(
  env: Record<string, string>,
  args: string[] = [],
  options: { port?: number; healthy?: boolean } = {},
): Promise<KvgateChild> {
  const port = options.port ?? freePort()
  const child = Bun.spawn(
    [BUN, `${ROOT}core/main.ts`, '--port', String(port), '--host', '127.0.0.1', ...args],
    {
      env: childEnv(env),
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  // Read as it comes, so a full pipe never holds the child up.
  let stdout = ''
  const readStdout = (async () => {
    const decoder = new TextDecoder()
    for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true })
  })()
  const output = Promise.all([readStdout, new Response(child.stderr).text()]).then(([, stderr]) => ({
    stdout,
    stderr,
  }))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const code = await child.exited
    clearTimeout(timer)
    return code
  }
  const printed = async (text: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs
    while (!stdout.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`kvgate did not print ${text} within ${timeoutMs} ms: ${stdout}`)
      await Bun.sleep(20)
    }
  }
  if (options.healthy !== false) {
    try {
      await waitForHealthy(`${url}/healthz`)
    } catch (error) {
      child.kill('SIGKILL')
      const { stderr } = await output
      throw new Error(`${(error as Error).message}\n${stdout}${stderr}`)
    }
  }
  return { url, port, process: child, output, printed, stop }
}
