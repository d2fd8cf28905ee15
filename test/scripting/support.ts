// Helpers for the sandbox tests: an in-memory host (the dialect supplies the real one) and a run()
// that answers the response or the error, so a test reads as input -> outcome.

import { HostCallError } from '../../core/scripting/errors.ts'
import type { ScriptHost, ScriptRequest, ScriptSandbox, ScriptValue } from '../../core/scripting/sandbox.ts'

const decoder = new TextDecoder()
const text = (bytes: Uint8Array) => decoder.decode(bytes)

/** A Map-backed host; keys starting with "secret:" are refused, as a token's prefix would be. */
export function memoryHost(store = new Map<string, ScriptValue>()): ScriptHost & { store: typeof store } {
  const guard = (key: Uint8Array) => {
    if (text(key).startsWith('secret:'))
      throw new HostCallError(`key "${text(key)}" is outside this token's prefix`)
    return text(key)
  }
  return {
    store,
    async get(key) {
      return store.get(guard(key)) ?? null
    },
    async set(key, value) {
      store.set(guard(key), value)
    },
    async delete(key) {
      store.delete(guard(key))
    },
    async incr(key, delta) {
      const name = guard(key)
      const current = store.get(name) ?? 0n
      if (typeof current !== 'bigint') throw new HostCallError('value is not an integer')
      const next = current + BigInt(delta)
      store.set(name, next)
      return next
    },
    async list(query) {
      const prefix = query.prefix ? text(query.prefix) : ''
      const keys = [...store.keys()].filter((key) => key.startsWith(prefix)).sort()
      if (query.reverse) keys.reverse()
      const page = keys.slice(query.skip ?? 0, (query.skip ?? 0) + (query.limit ?? keys.length))
      const encode = (key: string) => new TextEncoder().encode(key)
      if (query.values)
        return page.map((key) => [encode(key), store.get(key) ?? null] as [Uint8Array, ScriptValue])
      return page.map(encode)
    },
  }
}

export function scriptRequest(overrides: Partial<ScriptRequest> = {}): ScriptRequest {
  return {
    query: new URLSearchParams(),
    headers: new Headers(),
    body: new Uint8Array(),
    remoteAddr: '203.0.113.7',
    ...overrides,
  }
}

export interface Outcome {
  status?: number
  headers?: Record<string, string>
  body?: string
  error?: string
  message?: string
}

let counter = 0

/** Runs source as a fresh script (or as `id`, to share its cache entry) and reports what came out. */
export async function outcome(
  sandbox: ScriptSandbox,
  source: string,
  options: { host?: ScriptHost; request?: ScriptRequest; id?: string; version?: number } = {},
): Promise<Outcome> {
  try {
    const response = await sandbox.run(
      { id: options.id ?? `script-${counter++}`, version: options.version ?? 1, name: 'test', source },
      options.request ?? scriptRequest(),
      options.host ?? memoryHost(),
    )
    return { status: response.status, headers: response.headers, body: text(response.body) }
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message }
  }
}
