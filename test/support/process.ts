// Child processes for tests: kvgate itself (from source, with Bun or Deno) and helpers.

import type { Subprocess } from 'bun'

export const BUN = process.execPath
export const ROOT = new URL('../..', import.meta.url).pathname

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
    Object.entries(process.env).filter(([name]) => !/^(KVGATE_|REDIS_URL$|REDIS_CLUSTER_NODES$)/.test(name)),
  )
  return { ...inherited, ...own }
}
