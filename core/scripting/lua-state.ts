// One sandboxed Lua state on wasmoon's WebAssembly Lua, driven through the raw Lua C API rather than
// wasmoon's LuaEngine helpers, which are not stable over many runs (doString leaves its results on
// the global stack until it overflows; Thread.setTimeout keeps the first deadline in its hook and
// leaks a function-table slot per reset). Here every per-state callback (allocator, hook, panic)
// is added to the function table once, and every run is a fresh coroutine that is released after.
//
// Limits: memory and CPU time as run-budget.ts keeps them. Time spent waiting for host calls is
// not Lua time and is bounded by the run's wall-clock limit.

import type { LuaWasm } from 'wasmoon'
import {
  HostCallError,
  type ScriptError,
  ScriptMemoryError,
  ScriptOutputError,
  ScriptRuntimeError,
  ScriptTimeoutError,
} from './errors.ts'
import {
  decoder,
  encoder,
  LUA_OK,
  type LuaArg,
  type LuaValue,
  LuaValues,
  type Module,
  REGISTRY,
  sizeOf,
  TYPE_STRING,
} from './lua-values.ts'
import { PATTERNS } from './patterns.ts'
import { PRELUDE } from './prelude.ts'
import { RunBudget } from './run-budget.ts'

const LUA_YIELD = 1
const MASK_COUNT = 8
const HOOK_EVERY_INSTRUCTIONS = 1000
/** Prepended on the first line of every script: the chunk receives its environment as `...`. */
const CHUNK_PREFIX = new TextEncoder().encode('local _ENV = ...; ')

export interface RunLimits {
  cpuTimeMs: number
  wallTimeMs: number
  memoryBytes: number
  outputBytes: number
}

export interface RunResult {
  status: number
  contentType: string
  location: string | null
  body: Uint8Array
}

/** Performs one host call (`op` is get, set, delete, incr or list) and answers its Lua value. */
export type HostDispatch = (op: string, args: LuaArg[]) => Promise<LuaValue>

/** Thrown through wasm when Lua panics (an error outside any protected call): the state is unusable. */
class LuaPanic extends Error {}

export class LuaState {
  /** Runs finished on this state; the pool retires a state after a configured number. */
  runs = 0
  /** Set when wasm or Lua failed in a way that may have left the state inconsistent. */
  broken = false

  private readonly m: Module
  private readonly L: number
  private readonly scratch: number
  private readonly functionPointers: number[] = []
  private readonly refs: { run: number; host: number; abort: number; output: number }
  private readonly chunks = new Map<string, { version: string | number; ref: number }>()
  private readonly budget: RunBudget
  private readonly values: LuaValues
  private closed = false

  constructor(
    lua: LuaWasm,
    private readonly maxCachedChunks: number,
  ) {
    const m = lua.module as Module
    this.m = m
    this.budget = new RunBudget(m)
    const alloc = this.addFunction(
      (_ud: number, ptr: number, oldSize: number, newSize: number) =>
        this.budget.allocate(ptr, oldSize, newSize),
      'iiiii',
    )
    this.L = m._lua_newstate(alloc, 0)
    if (!this.L) {
      this.releaseFunctions()
      throw new Error('could not create a Lua state')
    }
    this.scratch = m._malloc(8)
    this.values = new LuaValues(m, this.scratch)
    m._lua_atpanic(
      this.L,
      this.addFunction(() => {
        this.broken = true
        throw new LuaPanic('Lua panicked')
      }, 'ii'),
    )
    const hook = this.addFunction((L: number) => {
      if (!this.budget.outOfTime()) return
      this.budget.timedOut = true
      m._lua_rawgeti(L, REGISTRY, BigInt(this.refs.abort))
      m._lua_error(L)
    }, 'vii')
    // Threads inherit their creator's hook: every run thread and every coroutine a script creates.
    m._lua_sethook(this.L, hook, MASK_COUNT, HOOK_EVERY_INSTRUCTIONS)
    this.refs = this.openLibraries()
  }

  /** Compiles a script once and caches it by id until its version changes. Returns its registry ref. */
  prepare(id: string, version: string | number, name: string, source: Uint8Array): number {
    const cached = this.chunks.get(id)
    if (cached && cached.version === version) {
      // Re-insert: the map's order is the eviction order, oldest use first.
      this.chunks.delete(id)
      this.chunks.set(id, cached)
      return cached.ref
    }
    if (cached) this.forget(id)
    const ref = this.compile(name, source)
    this.chunks.set(id, { version, ref })
    if (this.chunks.size > this.maxCachedChunks) {
      const oldest = this.chunks.keys().next().value
      if (oldest !== undefined) this.forget(oldest)
    }
    return ref
  }

  /** Throws ScriptSyntaxError when the source does not compile. */
  check(name: string, source: Uint8Array): void {
    this.m._luaL_unref(this.L, REGISTRY, this.compile(name, source))
  }

  async run(
    chunkRef: number,
    vars: Array<[string, string | Uint8Array]>,
    host: HostDispatch,
    limits: RunLimits,
  ): Promise<RunResult> {
    const { m, L, budget, values } = this
    const thread = m._lua_newthread(L)
    const threadRef = m._luaL_ref(L, REGISTRY)
    budget.timedOut = false
    budget.memoryRefused = false
    const started = Date.now()
    let cpuMs = 0
    try {
      m._lua_rawgeti(thread, REGISTRY, BigInt(this.refs.run))
      m._lua_rawgeti(thread, REGISTRY, BigInt(chunkRef))
      values.pushVars(thread, vars)
      m._lua_pushinteger(thread, BigInt(limits.outputBytes))
      const ceiling = budget.used + limits.memoryBytes
      let argCount = 3
      for (;;) {
        budget.startSlice(limits.cpuTimeMs - cpuMs)
        budget.ceiling = ceiling
        let status: number
        try {
          status = m._lua_resume(thread, 0, argCount, this.scratch)
        } catch (error) {
          // Only Lua's own errors come back as a status; anything thrown is a trap or a panic.
          this.broken = true
          throw error
        } finally {
          cpuMs += budget.endSlice()
        }
        const resultCount = (m.HEAP32 as Int32Array)[this.scratch >> 2] ?? 0
        if (status === LUA_OK) return this.readResult(thread)
        if (status !== LUA_YIELD) throw this.failure(thread, limits)
        if (budget.timedOut || cpuMs > limits.cpuTimeMs)
          throw new ScriptTimeoutError('CPU time', limits.cpuTimeMs)
        const { op, args } = this.readHostCall(thread, resultCount)
        m._lua_settop(thread, 0)
        let ok = true
        let answer: LuaValue
        try {
          answer = await host(op, args)
        } catch (error) {
          if (!(error instanceof HostCallError)) throw error
          ok = false
          answer = error.message
        }
        if (Date.now() - started > limits.wallTimeMs) {
          throw new ScriptTimeoutError('wall-clock time', limits.wallTimeMs)
        }
        // Values are pushed with no ceiling (a refused allocation outside Lua's protection would
        // panic), so a large answer (a listing with values) is measured against it first.
        if (budget.used + sizeOf(answer) > ceiling) throw new ScriptMemoryError(limits.memoryBytes)
        m._lua_pushboolean(thread, ok ? 1 : 0)
        values.push(thread, answer)
        argCount = 2
      }
    } finally {
      this.runs++
      if (!this.broken) m._luaL_unref(L, REGISTRY, threadRef)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    // A broken state may be inconsistent: leave its memory alone rather than trap again in lua_close.
    if (!this.broken) {
      try {
        this.m._lua_close(this.L)
        this.m._free(this.scratch)
      } catch {}
    }
    this.releaseFunctions()
  }

  // --- internals ---

  private openLibraries() {
    const { m, L } = this
    m._luaopen_base(L)
    m._lua_settop(L, 0)
    const libraries: Array<[string, (L: number) => number]> = [
      ['coroutine', m._luaopen_coroutine],
      ['math', m._luaopen_math],
      ['string', m._luaopen_string],
      ['table', m._luaopen_table],
      ['utf8', m._luaopen_utf8],
    ]
    for (const [name, open] of libraries) {
      open(L)
      this.setGlobal(name)
    }
    // The prelude is called with the pattern matcher's module as its argument.
    for (const [name, source] of [
      ['kvdb', PRELUDE],
      ['patterns', PATTERNS],
    ] as const) {
      const chunk = this.values.load(L, name, encoder.encode(source))
      m._lua_rawgeti(L, REGISTRY, BigInt(chunk))
      m._luaL_unref(L, REGISTRY, chunk)
    }
    const { values } = this
    if (m._lua_pcallk(L, 0, 1, 0, 0, 0) !== LUA_OK)
      throw new Error(`patterns failed: ${values.message(L, -1)}`)
    if (m._lua_pcallk(L, 1, 1, 0, 0, 0) !== LUA_OK)
      throw new Error(`prelude failed: ${values.message(L, -1)}`)
    const field = (name: string) => {
      values.withCString(name, (ptr) => m._lua_getfield(L, -1, ptr))
      return m._luaL_ref(L, REGISTRY) as number
    }
    const refs = { run: field('run'), host: field('HOST'), abort: field('ABORT'), output: field('OUTPUT') }
    m._lua_settop(L, 0)
    return refs
  }

  private setGlobal(name: string): void {
    this.values.withCString(name, (ptr) => this.m._lua_setglobal(this.L, ptr))
  }

  private compile(name: string, source: Uint8Array): number {
    const code = new Uint8Array(CHUNK_PREFIX.length + source.length)
    code.set(CHUNK_PREFIX)
    code.set(source, CHUNK_PREFIX.length)
    return this.values.load(this.L, name, code)
  }

  private forget(id: string): void {
    const cached = this.chunks.get(id)
    if (!cached) return
    this.chunks.delete(id)
    this.m._luaL_unref(this.L, REGISTRY, cached.ref)
  }

  /** The yielded values are HOST, op, args...: anything else is a yield the prelude should have stopped. */
  private readHostCall(thread: number, count: number): { op: string; args: LuaArg[] } {
    const m = this.m
    const base = m._lua_gettop(thread) - count + 1
    m._lua_rawgeti(thread, REGISTRY, BigInt(this.refs.host))
    const isHost = count >= 2 && m._lua_rawequal(thread, base, -1) !== 0
    m._lua_settop(thread, -2)
    if (!isHost || m._lua_type(thread, base + 1) !== TYPE_STRING) {
      throw new ScriptRuntimeError('attempt to yield from outside a coroutine')
    }
    const op = decoder.decode(this.values.readBytes(thread, base + 1))
    const args: LuaArg[] = []
    for (let index = base + 2; index < base + count; index++) args.push(this.values.read(thread, index))
    return { op, args }
  }

  /** run() answered status, content type, location, body. */
  private readResult(thread: number): RunResult {
    const { m, values } = this
    const location = m._lua_type(thread, -2) === TYPE_STRING ? headerText(values.readBytes(thread, -2)) : null
    return {
      status: Number(m._lua_tointegerx(thread, -4, 0)),
      contentType: decoder.decode(values.readBytes(thread, -3)),
      location,
      body: values.readBytes(thread, -1),
    }
  }

  private failure(thread: number, limits: RunLimits): ScriptError {
    const m = this.m
    if (this.budget.timedOut || this.isRef(thread, this.refs.abort)) {
      return new ScriptTimeoutError('CPU time', limits.cpuTimeMs)
    }
    if (this.isRef(thread, this.refs.output)) return new ScriptOutputError(limits.outputBytes)
    if (this.budget.memoryRefused) return new ScriptMemoryError(limits.memoryBytes)
    if (m._lua_gettop(thread) === 0) return new ScriptRuntimeError('script failed')
    return new ScriptRuntimeError(this.values.message(thread, -1))
  }

  private isRef(L: number, ref: number): boolean {
    const m = this.m
    if (m._lua_gettop(L) === 0) return false
    m._lua_rawgeti(L, REGISTRY, BigInt(ref))
    const same = m._lua_rawequal(L, -1, -2) !== 0
    m._lua_settop(L, -2)
    return same
  }

  private addFunction(fn: (...args: any[]) => any, signature: string): number {
    const ptr = this.m.addFunction(fn, signature)
    this.functionPointers.push(ptr)
    return ptr
  }

  private releaseFunctions(): void {
    for (const ptr of this.functionPointers.splice(0)) this.m.removeFunction(ptr)
  }
}

/** A URL's bytes as a header value: bytes beyond ASCII percent-encoded, as browsers send them. */
function headerText(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) {
    text += byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return text
}
