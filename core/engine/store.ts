// Opens the backend the configuration names: embedded SQLite by default.

import type { StoreConfig } from '../config.ts'
import type { Backend } from './backend.ts'
import { SqliteBackend } from './sqlite.ts'

export class StoreOpenError extends Error {}

export function openBackend(store: StoreConfig): Backend {
  if (store.type === 'sqlite') {
    try {
      return new SqliteBackend({ path: store.path, synchronous: store.synchronous })
    } catch (error) {
      throw new StoreOpenError(`cannot open the data file ${store.path}: ${(error as Error).message}`)
    }
  }
  throw new StoreOpenError(`the ${store.type} store is not available in this build`)
}
