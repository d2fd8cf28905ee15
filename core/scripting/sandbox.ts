// The script sandbox a dialect calls: runs one Lua script in the context of one HTTP request, on a
// pool of reusable Lua states (creating one costs milliseconds), each caching its compiled scripts.
// What a script may touch in the store is decided by the host functions the caller passes.

import type { LuaWasm } from 'wasmoon'
import { createLuaFactory } from './lua-factory.ts'
import { LuaState, type RunLimits } from './lua-state.ts'
import type { LuaArg, LuaValue } from './lua-values.ts'

export interface ScriptLimits extends RunLimits {}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = {
  cpuTimeMs: 50,
  wallTimeMs: 5_000,
  memoryBytes: 16 * 1024 * 1024,
  outputBytes: 1024 * 1024,
}

export interface SandboxOptions {
  limits: ScriptLimits
  /** Lua states at most; a run waits for a free one beyond that. */
  poolSize: number
  /** A state is closed and replaced after this many runs, which bounds any slow growth. */
  runsPerState: number
  /** Compiled scripts each state keeps, least recently used dropped first. */
  cachedScriptsPerState: number
}

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = {
  limits: DEFAULT_SCRIPT_LIMITS,
  poolSize: 16,
  runsPerState: 10_000,
  cachedScriptsPerState: 64,
}

export interface Script {
  /** Identifies the script across runs (e.g. bucket and name): the cache key. */
  id: string
  /** Changes whenever the source changes: a new version is compiled again. */
  version: string | number
  /** Shown in Lua error messages, e.g. `counter:3: attempt to index a nil value`. */
  name: string
  source: Uint8Array | string
}

export interface ScriptRequest {
  query: URLSearchParams
  headers: Headers
  body: Uint8Array
  /** The client IP, as kvdb.var.remote_addr. */
  remoteAddr: string
}

export interface ScriptResponse {
  status: number
  headers: Record<string, string>
  body: Uint8Array
}

/** A stored value as a script sees it: integer (bigint), float (number) or bytes. */
export type ScriptValue = Uint8Array | number | bigint

export interface ScriptListQuery {
  prefix: Uint8Array | null
  limit: number | null
  skip: number | null
  reverse: boolean
  values: boolean
}

/**
 * The store as one run may use it. Throw HostCallError for a failure the script should see as a Lua
 * error (a key outside the token's prefix, a bad counter); anything else aborts the run.
 */
export interface ScriptHost {
  get(key: Uint8Array): Promise<ScriptValue | null>
  set(key: Uint8Array, value: ScriptValue, ttlSeconds: number | null): Promise<void>
  delete(key: Uint8Array): Promise<void>
  incr(key: Uint8Array, delta: number | bigint): Promise<number | bigint>
  list(query: ScriptListQuery): Promise<Uint8Array[] | Array<[Uint8Array, ScriptValue | null]>>
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class ScriptSandbox {
  readonly options: SandboxOptions
  private lua: LuaWasm | undefined
  private loading: Promise<LuaWasm> | undefined
  private readonly idle: LuaState[] = []
  private readonly waiting: Array<{ resolve: (state: LuaState) => void; reject: (error: unknown) => void }> =
    []
  private states = 0
  private closed = false

  constructor(options: Partial<Omit<SandboxOptions, 'limits'>> & { limits?: Partial<ScriptLimits> } = {}) {
    this.options = {
      ...DEFAULT_SANDBOX_OPTIONS,
      ...options,
      limits: { ...DEFAULT_SCRIPT_LIMITS, ...options.limits },
    }
  }

  /** Throws ScriptSyntaxError with Lua's message when the source does not compile. */
  async check(name: string, source: Uint8Array | string): Promise<void> {
    const state = await this.acquire()
    try {
      state.check(name, bytesOf(source))
    } finally {
      this.release(state)
    }
  }

  /**
   * Runs a script for one request. Throws a ScriptError (syntax, runtime, memory, time, output), or
   * whatever a host function threw that was not a HostCallError.
   */
  async run(
    script: Script,
    request: ScriptRequest,
    host: ScriptHost,
    limits: Partial<ScriptLimits> = {},
  ): Promise<ScriptResponse> {
    const vars = await requestVars(request)
    const state = await this.acquire()
    try {
      const chunk = state.prepare(script.id, script.version, script.name, bytesOf(script.source))
      const result = await state.run(chunk, vars, dispatchTo(host), { ...this.options.limits, ...limits })
      const headers: Record<string, string> = { 'content-type': result.contentType }
      if (result.location !== null) headers.location = result.location
      return { status: result.status, headers, body: result.body }
    } finally {
      this.release(state)
    }
  }

  /**
   * Lua states open and idle, the size of the WebAssembly heap, and the extent of its function
   * table (the slot a new function would take), which must stay flat however many runs go by.
   */
  stats(): { states: number; idle: number; heapBytes: number; functionSlots: number } {
    const module = this.lua?.module as (LuaWasm['module'] & { HEAPU8: Uint8Array }) | undefined
    let functionSlots = 0
    if (module) {
      functionSlots = module.addFunction(() => 0, 'i')
      module.removeFunction(functionSlots)
    }
    return {
      states: this.states,
      idle: this.idle.length,
      heapBytes: module?.HEAPU8.byteLength ?? 0,
      functionSlots,
    }
  }

  close(): void {
    this.closed = true
    for (const state of this.idle.splice(0)) this.retire(state)
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('script sandbox closed'))
  }

  private async acquire(): Promise<LuaState> {
    if (this.closed) throw new Error('script sandbox closed')
    const idle = this.idle.pop()
    if (idle) return idle
    if (this.states < this.options.poolSize) {
      this.states++
      try {
        return this.create(await this.module())
      } catch (error) {
        this.states--
        throw error
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private release(state: LuaState): void {
    if (state.broken || state.runs >= this.options.runsPerState || this.closed) {
      this.retire(state)
      const waiter = this.waiting.shift()
      if (waiter && this.lua) {
        this.states++
        try {
          waiter.resolve(this.create(this.lua))
        } catch (error) {
          this.states--
          waiter.reject(error)
        }
      }
      return
    }
    const waiter = this.waiting.shift()
    if (waiter) waiter.resolve(state)
    else this.idle.push(state)
  }

  private create(lua: LuaWasm): LuaState {
    return new LuaState(lua, this.options.cachedScriptsPerState)
  }

  private retire(state: LuaState): void {
    this.states--
    state.close()
  }

  private module(): Promise<LuaWasm> {
    this.loading ??= createLuaFactory()
      .then((factory) => factory.getLuaModule())
      .then((lua) => {
        this.lua = lua
        return lua
      })
    return this.loading
  }
}

function bytesOf(source: Uint8Array | string): Uint8Array {
  return typeof source === 'string' ? encoder.encode(source) : source
}

/** kvdb.var: query parameters, then form fields of the body (body wins), then remote_addr and body. */
async function requestVars(request: ScriptRequest): Promise<Array<[string, string | Uint8Array]>> {
  const vars = new Map<string, string | Uint8Array>()
  for (const [name, value] of request.query) if (!vars.has(name)) vars.set(name, value)
  const seen = new Set<string>()
  for (const [name, value] of await formFields(request)) {
    if (seen.has(name)) continue
    seen.add(name)
    vars.set(name, value)
  }
  vars.set('remote_addr', request.remoteAddr)
  vars.set('body', request.body)
  return [...vars]
}

async function formFields(request: ScriptRequest): Promise<Array<[string, string | Uint8Array]>> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (request.body.length === 0) return []
  if (type === 'application/x-www-form-urlencoded') {
    return [...new URLSearchParams(decoder.decode(request.body))]
  }
  if (type !== 'multipart/form-data') return []
  try {
    const form = await new Response(request.body as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
    }).formData()
    const fields: Array<[string, string | Uint8Array]> = []
    for (const [name, value] of form as unknown as Iterable<[string, string | Blob]>) {
      fields.push([name, typeof value === 'string' ? value : new Uint8Array(await value.arrayBuffer())])
    }
    return fields
  } catch {
    // A malformed multipart body gives no form fields; the script still sees kvdb.var.body.
    return []
  }
}

/** Checks the already-validated Lua arguments of each host call and calls the host. */
function dispatchTo(host: ScriptHost) {
  return async (op: string, args: LuaArg[]): Promise<LuaValue> => {
    const [first, second, third, fourth, fifth] = args
    const key = first instanceof Uint8Array ? first : encoder.encode(String(first ?? ''))
    switch (op) {
      case 'get':
        return host.get(key)
      case 'set':
        await host.set(key, toValue(second), third === null || third === undefined ? null : Number(third))
        return null
      case 'delete':
        await host.delete(key)
        return null
      case 'incr':
        return host.incr(key, typeof second === 'bigint' ? second : Number(second))
      case 'list': {
        const listed = await host.list({
          prefix: first instanceof Uint8Array ? first : null,
          limit: second === null || second === undefined ? null : Number(second),
          skip: third === null || third === undefined ? null : Number(third),
          reverse: fourth === true,
          values: fifth === true,
        })
        return listed as LuaValue
      }
      default:
        throw new Error(`unknown host call ${op}`)
    }
  }
}

function toValue(value: LuaArg | undefined): ScriptValue {
  if (value instanceof Uint8Array || typeof value === 'bigint' || typeof value === 'number') return value
  return encoder.encode(String(value))
}
