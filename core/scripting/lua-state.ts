// One sandboxed Lua state on wasmoon's WebAssembly Lua, driven through the raw Lua C API rather than
// wasmoon's LuaEngine helpers, which are not stable over many runs (doString leaves its results on
// the global stack until it overflows; Thread.setTimeout keeps the first deadline in its hook and
// leaks a function-table slot per reset). Here every per-state callback (allocator, hook, panic)
// is added to the function table once, and every run is a fresh coroutine that is released after.
//
// Limits: the allocator refuses to grow past the run's memory ceiling; a count hook, and every
// 128th allocation, check the run's CPU time. That is the process's CPU time while Lua runs, not
// the wall clock, which on a busy machine also counts the time the process was not scheduled. Time
// spent waiting for host calls is not Lua time and is bounded by the run's wall-clock limit.

import type { LuaWasm } from 'wasmoon'
import {
  HostCallError,
  type ScriptError,
  ScriptMemoryError,
  ScriptOutputError,
  ScriptRuntimeError,
  ScriptSyntaxError,
  ScriptTimeoutError,
} from './errors.ts'
import { PATTERNS } from './patterns.ts'
import { PRELUDE } from './prelude.ts'

const REGISTRY = -1_001_000 // LUA_REGISTRYINDEX for LUAI_MAXSTACK = 1,000,000
const LUA_OK = 0
const LUA_YIELD = 1
const MASK_COUNT = 8
const HOOK_EVERY_INSTRUCTIONS = 1000
const TYPE_BOOLEAN = 1
const TYPE_NUMBER = 3
const TYPE_STRING = 4
/** Longest error message kept; nested coroutine errors can repeat positions many times. */
const MAX_MESSAGE_CHARS = 4096
/** Prepended on the first line of every script: the chunk receives its environment as `...`. */
const CHUNK_PREFIX = new TextEncoder().encode('local _ENV = ...; ')

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A value passed from Lua to a host call: nil, boolean, integer (bigint), float, or string bytes. */
export type LuaArg = null | boolean | bigint | number | Uint8Array

/** A value handed to Lua: bigint becomes an integer, number a float, arrays become sequences. */
export type LuaValue = null | undefined | boolean | bigint | number | string | Uint8Array | LuaValue[]

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

type Module = LuaWasm['module'] & Record<string, any>

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
  private used = 0
  private ceiling = Number.POSITIVE_INFINITY
  // A slice is one lua_resume. Until `deadline` (performance.now()) it cannot have used its CPU
  // budget, as CPU time <= wall time; past it, the process's CPU time since the slice began decides.
  private deadline = Number.POSITIVE_INFINITY
  private sliceStart = 0
  private sliceBudgetMs = Number.POSITIVE_INFINITY
  private sliceCpu: NodeJS.CpuUsage | undefined
  private allocations = 0
  private timedOut = false
  private memoryRefused = false
  private closed = false

  constructor(
    lua: LuaWasm,
    private readonly maxCachedChunks: number,
  ) {
    const m = lua.module as Module
    this.m = m
    const alloc = this.addFunction(
      (_ud: number, ptr: number, oldSize: number, newSize: number) => this.allocate(ptr, oldSize, newSize),
      'iiiii',
    )
    this.L = m._lua_newstate(alloc, 0)
    if (!this.L) {
      this.releaseFunctions()
      throw new Error('could not create a Lua state')
    }
    this.scratch = m._malloc(8)
    m._lua_atpanic(
      this.L,
      this.addFunction(() => {
        this.broken = true
        throw new LuaPanic('Lua panicked')
      }, 'ii'),
    )
    const hook = this.addFunction((L: number) => {
      if (!this.outOfTime()) return
      this.timedOut = true
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
    const { m, L } = this
    const thread = m._lua_newthread(L)
    const threadRef = m._luaL_ref(L, REGISTRY)
    this.timedOut = false
    this.memoryRefused = false
    const started = Date.now()
    let cpuMs = 0
    try {
      m._lua_rawgeti(thread, REGISTRY, BigInt(this.refs.run))
      m._lua_rawgeti(thread, REGISTRY, BigInt(chunkRef))
      this.pushVars(thread, vars)
      m._lua_pushinteger(thread, BigInt(limits.outputBytes))
      const ceiling = this.used + limits.memoryBytes
      let argCount = 3
      for (;;) {
        this.startSlice(limits.cpuTimeMs - cpuMs)
        this.ceiling = ceiling
        let status: number
        try {
          status = m._lua_resume(thread, 0, argCount, this.scratch)
        } catch (error) {
          // Only Lua's own errors come back as a status; anything thrown is a trap or a panic.
          this.broken = true
          throw error
        } finally {
          cpuMs += this.sliceUsedMs()
          this.deadline = Number.POSITIVE_INFINITY
          this.ceiling = Number.POSITIVE_INFINITY
        }
        const resultCount = (m.HEAP32 as Int32Array)[this.scratch >> 2] ?? 0
        if (status === LUA_OK) return this.readResult(thread)
        if (status !== LUA_YIELD) throw this.failure(thread, limits)
        if (this.timedOut || cpuMs > limits.cpuTimeMs)
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
        if (this.used + sizeOf(answer) > ceiling) throw new ScriptMemoryError(limits.memoryBytes)
        m._lua_pushboolean(thread, ok ? 1 : 0)
        this.push(thread, answer)
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

  private startSlice(budgetMs: number): void {
    this.sliceCpu = process.cpuUsage()
    this.sliceBudgetMs = budgetMs
    this.sliceStart = performance.now()
    this.deadline = this.sliceStart + budgetMs
  }

  /**
   * CPU time of the slice so far. Below a millisecond of wall time the wall time is close enough
   * and saves a system call; beyond it, the process may have waited for a CPU, which is not charged.
   */
  private sliceUsedMs(): number {
    const wall = performance.now() - this.sliceStart
    return wall < 1 ? wall : Math.min(wall, cpuSince(this.sliceCpu))
  }

  /** Cheap while the wall clock is inside the budget; past it, asks for the CPU time really used. */
  private outOfTime(): boolean {
    const now = performance.now()
    if (now <= this.deadline) return false
    const left = this.sliceBudgetMs - this.sliceUsedMs()
    if (left <= 0) return true
    this.deadline = now + left
    return false
  }

  private allocate(ptr: number, oldSize: number, newSize: number): number {
    const m = this.m
    if (newSize === 0) {
      if (ptr) {
        this.used -= oldSize
        m._free(ptr)
      }
      return 0
    }
    // With a null pointer, oldSize encodes the kind of object being created, not a size.
    const growth = ptr ? newSize - oldSize : newSize
    if (growth > 0) {
      if (this.used + growth > this.ceiling) {
        this.memoryRefused = true
        return 0
      }
      // C library functions (string.rep, table.concat, ...) run no instructions the hook could count.
      if ((++this.allocations & 127) === 0 && this.outOfTime()) {
        this.timedOut = true
        return 0
      }
    }
    const result = m._realloc(ptr, newSize)
    if (result) this.used += growth
    return result
  }

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
      const chunk = this.load(L, name, encoder.encode(source))
      m._lua_rawgeti(L, REGISTRY, BigInt(chunk))
      m._luaL_unref(L, REGISTRY, chunk)
    }
    if (m._lua_pcallk(L, 0, 1, 0, 0, 0) !== LUA_OK) throw new Error(`patterns failed: ${this.message(L, -1)}`)
    if (m._lua_pcallk(L, 1, 1, 0, 0, 0) !== LUA_OK) throw new Error(`prelude failed: ${this.message(L, -1)}`)
    const field = (name: string) => {
      this.withCString(name, (ptr) => m._lua_getfield(L, -1, ptr))
      return m._luaL_ref(L, REGISTRY) as number
    }
    const refs = { run: field('run'), host: field('HOST'), abort: field('ABORT'), output: field('OUTPUT') }
    m._lua_settop(L, 0)
    return refs
  }

  private setGlobal(name: string): void {
    this.withCString(name, (ptr) => this.m._lua_setglobal(this.L, ptr))
  }

  private compile(name: string, source: Uint8Array): number {
    const code = new Uint8Array(CHUNK_PREFIX.length + source.length)
    code.set(CHUNK_PREFIX)
    code.set(source, CHUNK_PREFIX.length)
    return this.load(this.L, name, code)
  }

  /** Loads text (never bytecode) as a function and answers its registry ref. */
  private load(L: number, name: string, code: Uint8Array): number {
    const m = this.m
    const buffer = m._malloc(code.length || 1)
    m.HEAPU8.set(code, buffer)
    const chunkName = encoder.encode(`=${name}\0`)
    const namePtr = m._malloc(chunkName.length)
    m.HEAPU8.set(chunkName, namePtr)
    const mode = m._malloc(2)
    m.HEAPU8.set([116, 0], mode) // "t"
    try {
      if (m._luaL_loadbufferx(L, buffer, code.length, namePtr, mode) !== LUA_OK) {
        const message = this.message(L, -1)
        m._lua_settop(L, -2)
        throw new ScriptSyntaxError(message)
      }
      return m._luaL_ref(L, REGISTRY)
    } finally {
      m._free(buffer)
      m._free(namePtr)
      m._free(mode)
    }
  }

  private forget(id: string): void {
    const cached = this.chunks.get(id)
    if (!cached) return
    this.chunks.delete(id)
    this.m._luaL_unref(this.L, REGISTRY, cached.ref)
  }

  private pushVars(thread: number, vars: Array<[string, string | Uint8Array]>): void {
    const m = this.m
    m._lua_createtable(thread, 0, vars.length)
    for (const [name, value] of vars) {
      this.push(thread, name)
      this.push(thread, value)
      m._lua_rawset(thread, -3)
    }
  }

  private push(L: number, value: LuaValue): void {
    const m = this.m
    if (value === null || value === undefined) m._lua_pushnil(L)
    else if (typeof value === 'boolean') m._lua_pushboolean(L, value ? 1 : 0)
    else if (typeof value === 'bigint') m._lua_pushinteger(L, value)
    else if (typeof value === 'number') m._lua_pushnumber(L, value)
    else if (typeof value === 'string') this.pushBytes(L, encoder.encode(value))
    else if (value instanceof Uint8Array) this.pushBytes(L, value)
    else {
      m._lua_createtable(L, value.length, 0)
      for (let i = 0; i < value.length; i++) {
        this.push(L, value[i])
        m._lua_rawseti(L, -2, BigInt(i + 1))
      }
    }
  }

  private pushBytes(L: number, bytes: Uint8Array): void {
    const m = this.m
    const ptr = m._malloc(bytes.length || 1)
    m.HEAPU8.set(bytes, ptr)
    m._lua_pushlstring(L, ptr, bytes.length)
    m._free(ptr)
  }

  private readBytes(L: number, index: number): Uint8Array {
    const m = this.m
    const ptr = m._lua_tolstring(L, index, this.scratch)
    const length = m.HEAPU32[this.scratch >> 2]
    return m.HEAPU8.slice(ptr, ptr + length)
  }

  private read(L: number, index: number): LuaArg {
    const m = this.m
    switch (m._lua_type(L, index)) {
      case TYPE_BOOLEAN:
        return m._lua_toboolean(L, index) !== 0
      case TYPE_NUMBER:
        return m._lua_isinteger(L, index) ? m._lua_tointegerx(L, index, 0) : m._lua_tonumberx(L, index, 0)
      case TYPE_STRING:
        return this.readBytes(L, index)
      default:
        return null
    }
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
    const op = decoder.decode(this.readBytes(thread, base + 1))
    const args: LuaArg[] = []
    for (let index = base + 2; index < base + count; index++) args.push(this.read(thread, index))
    return { op, args }
  }

  /** run() answered status, content type, location, body. */
  private readResult(thread: number): RunResult {
    const m = this.m
    const location = m._lua_type(thread, -2) === TYPE_STRING ? headerText(this.readBytes(thread, -2)) : null
    return {
      status: Number(m._lua_tointegerx(thread, -4, 0)),
      contentType: decoder.decode(this.readBytes(thread, -3)),
      location,
      body: this.readBytes(thread, -1),
    }
  }

  private failure(thread: number, limits: RunLimits): ScriptError {
    const m = this.m
    if (this.timedOut || this.isRef(thread, this.refs.abort)) {
      return new ScriptTimeoutError('CPU time', limits.cpuTimeMs)
    }
    if (this.isRef(thread, this.refs.output)) return new ScriptOutputError(limits.outputBytes)
    if (this.memoryRefused) return new ScriptMemoryError(limits.memoryBytes)
    if (m._lua_gettop(thread) === 0) return new ScriptRuntimeError('script failed')
    return new ScriptRuntimeError(this.message(thread, -1))
  }

  private isRef(L: number, ref: number): boolean {
    const m = this.m
    if (m._lua_gettop(L) === 0) return false
    m._lua_rawgeti(L, REGISTRY, BigInt(ref))
    const same = m._lua_rawequal(L, -1, -2) !== 0
    m._lua_settop(L, -2)
    return same
  }

  /** An error value as text, without calling any __tostring a script may have set. */
  private message(L: number, index: number): string {
    const m = this.m
    const type = m._lua_type(L, index)
    if (type !== TYPE_STRING && type !== TYPE_NUMBER) {
      return `(error object is a ${this.cString(m._lua_typename(L, type))} value)`
    }
    // lua_tolstring converts a number in place: work on a copy.
    m._lua_pushvalue(L, index)
    const text = decoder.decode(this.readBytes(L, -1))
    m._lua_settop(L, -2)
    return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}...` : text
  }

  private cString(ptr: number): string {
    const heap: Uint8Array = this.m.HEAPU8
    const end = heap.indexOf(0, ptr)
    return decoder.decode(heap.subarray(ptr, end))
  }

  private withCString<T>(text: string, use: (ptr: number) => T): T {
    const m = this.m
    const bytes = encoder.encode(`${text}\0`)
    const ptr = m._malloc(bytes.length)
    m.HEAPU8.set(bytes, ptr)
    try {
      return use(ptr)
    } finally {
      m._free(ptr)
    }
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

/** Milliseconds of CPU (user and system) this process used since `start`. */
function cpuSince(start: NodeJS.CpuUsage | undefined): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** A generous estimate of the Lua memory a pushed value takes. */
function sizeOf(value: LuaValue): number {
  if (value instanceof Uint8Array) return value.length + 32
  if (typeof value === 'string') return value.length * 3 + 32
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + sizeOf(item) + 16, 64)
  return 16
}

/** A URL's bytes as a header value: bytes beyond ASCII percent-encoded, as browsers send them. */
function headerText(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) {
    text += byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return text
}
