// A wasmoon LuaFactory whose glue.wasm is found both in a source checkout and inside the compiled
// binary, where there is no node_modules: under Bun the file is embedded at build time.

import { LuaFactory } from 'wasmoon'
import { isBun } from '../runtime.ts'

export async function createLuaFactory(): Promise<LuaFactory> {
  // Imported only under Bun: Deno cannot read `with { type: 'file' }`, and resolves the wasm itself.
  const wasmPath = isBun ? (await import('./glue-wasm.bun.ts')).glueWasmPath : undefined
  return new LuaFactory(wasmPath)
}
