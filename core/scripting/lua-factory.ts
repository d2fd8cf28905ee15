// A wasmoon LuaFactory whose glue.wasm is found both in a source checkout and inside the compiled
// binary, where there is no node_modules: under Bun the file is embedded at build time. wasmoon is
// imported here, on the first script run, so a server that runs no script never loads it.

import type { LuaFactory } from 'wasmoon'
import { isBun } from '../runtime.ts'

export async function createLuaFactory(): Promise<LuaFactory> {
  // Imported only under Bun: Deno cannot read `with { type: 'file' }`, and resolves the wasm itself.
  const wasmPath = isBun ? (await import('./glue-wasm.bun.ts')).glueWasmPath : undefined
  const { LuaFactory } = await import('wasmoon')
  return new LuaFactory(wasmPath)
}
