// The errors a command reports as one plain line (a mistake in what was asked, or a store that
// cannot open), as opposed to an unexpected one. Imported only once a command has failed.

import { ConfigError } from '../config.ts'
import { StoreOpenError } from '../engine/store.ts'
import { AddressInUseError } from '../runtime.ts'
import { WorkerError } from '../workers.ts'
import { UsageError } from './fail.ts'

export function isKnownError(error: unknown): error is Error {
  return [ConfigError, StoreOpenError, AddressInUseError, UsageError, WorkerError].some(
    (type) => error instanceof type,
  )
}
