// Values between JavaScript and a Lua stack, through the raw Lua C API of wasmoon's WebAssembly
// Lua: pushing host answers and script variables, reading host-call arguments, results and error
// messages, loading source text, and the C strings the API takes.

import type { LuaWasm } from 'wasmoon'
import { ScriptSyntaxError } from './errors.ts'

export type Module = LuaWasm['module'] & Record<string, any>

export const REGISTRY = -1_001_000 // LUA_REGISTRYINDEX for LUAI_MAXSTACK = 1,000,000
export const LUA_OK = 0
export const TYPE_BOOLEAN = 1
export const TYPE_NUMBER = 3
export const TYPE_STRING = 4
/** Longest error message kept; nested coroutine errors can repeat positions many times. */
const MAX_MESSAGE_CHARS = 4096

export const encoder = new TextEncoder()
export const decoder = new TextDecoder()

/** A value passed from Lua to a host call: nil, boolean, integer (bigint), float, or string bytes. */
export type LuaArg = null | boolean | bigint | number | Uint8Array

/** A value handed to Lua: bigint becomes an integer, number a float, arrays become sequences. */
export type LuaValue = null | undefined | boolean | bigint | number | string | Uint8Array | LuaValue[]

export class LuaValues {
  /** `scratch` is 8 bytes of wasm memory for lengths the API writes back. */
  constructor(
    private readonly m: Module,
    private readonly scratch: number,
  ) {}

  /** A table of the variables, name -> value. */
  pushVars(thread: number, vars: Array<[string, string | Uint8Array]>): void {
    const m = this.m
    m._lua_createtable(thread, 0, vars.length)
    for (const [name, value] of vars) {
      this.push(thread, name)
      this.push(thread, value)
      m._lua_rawset(thread, -3)
    }
  }

  push(L: number, value: LuaValue): void {
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

  pushBytes(L: number, bytes: Uint8Array): void {
    const m = this.m
    const ptr = m._malloc(bytes.length || 1)
    m.HEAPU8.set(bytes, ptr)
    m._lua_pushlstring(L, ptr, bytes.length)
    m._free(ptr)
  }

  readBytes(L: number, index: number): Uint8Array {
    const m = this.m
    const ptr = m._lua_tolstring(L, index, this.scratch)
    const length = m.HEAPU32[this.scratch >> 2]
    return m.HEAPU8.slice(ptr, ptr + length)
  }

  read(L: number, index: number): LuaArg {
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

  /** An error value as text, without calling any __tostring a script may have set. */
  message(L: number, index: number): string {
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

  /** Loads text (never bytecode) as a function and answers its registry ref. */
  load(L: number, name: string, code: Uint8Array): number {
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

  cString(ptr: number): string {
    const heap: Uint8Array = this.m.HEAPU8
    const end = heap.indexOf(0, ptr)
    return decoder.decode(heap.subarray(ptr, end))
  }

  withCString<T>(text: string, use: (ptr: number) => T): T {
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
}

/** A generous estimate of the Lua memory a pushed value takes. */
export function sizeOf(value: LuaValue): number {
  if (value instanceof Uint8Array) return value.length + 32
  if (typeof value === 'string') return value.length * 3 + 32
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + sizeOf(item) + 16, 64)
  return 16
}
