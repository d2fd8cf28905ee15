// A store for tests that fails on purpose: any operation on a key starting with "fault" throws the
// error a test arms, and everything else (accounts, namespaces, other keys) goes to an in-memory
// SQLite store as usual. It reaches each dialect's rendering of every engine error, which the
// dialects' own limits and checks would otherwise answer first.

import type { Backend, BackendBatchOp } from '../../core/engine/backend.ts'
import { fromUtf8 } from '../../core/engine/bytes.ts'
import { openBackend } from '../../core/engine/store.ts'

/** Backend methods whose second argument is the key. */
const KEYED = new Set<string | symbol>([
  'get',
  'put',
  'delete',
  'increment',
  'listWrite',
  'listAdd',
  'listRemove',
  'listRange',
  'listCount',
  'listIndex',
  'listDelete',
])

const faulty = (key: unknown) => key instanceof Uint8Array && fromUtf8(key).startsWith('fault')

export interface FaultyBackend {
  backend: Backend
  /** From now on, operations on "fault…" keys throw this (null: they work again). */
  failWith(error: unknown): void
}

export function faultyBackend(): FaultyBackend {
  const store = openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' })
  let fault: unknown = null
  const hits = (method: string | symbol, args: unknown[]) =>
    fault !== null &&
    (KEYED.has(method)
      ? faulty(args[1])
      : method === 'batch' && (args[1] as BackendBatchOp[]).some((op) => faulty(op.key)))
  const backend = new Proxy(store, {
    get(target, method, receiver) {
      const value = Reflect.get(target, method, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => (hits(method, args) ? Promise.reject(fault) : value.apply(target, args))
    },
  })
  return {
    backend,
    failWith(error) {
      fault = error
    },
  }
}
