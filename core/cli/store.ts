// The configured store for the commands that work on it directly (`kvgate admin`, `kvgate data`):
// the store flags given on the command line, else the environment, as `kvgate serve` reads them.

import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import type { Dialect } from '../dialect.ts'
import { Engine } from '../engine/engine.ts'
import { openBackend } from '../engine/store.ts'
import { UsageError } from './fail.ts'

/** The flags that name a store, as parseArgs options. */
export const STORE_FLAGS = {
  data: { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-cluster-nodes': { type: 'string' },
  config: { type: 'string' },
} as const

export const STORE_USAGE =
  'store flags (else the environment): --data FILE | --redis-url URL | --redis-cluster-nodes HOST:PORT,...'

/**
 * A store command's arguments: its own options plus the store flags; a parse error becomes a
 * UsageError followed by the command's usage text.
 */
export function parseStoreCommand<O extends Record<string, { type: 'string' | 'boolean' }>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: { ...options, ...STORE_FLAGS } })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`)
  }
}

/** An engine on the configured store, without the background sweep (a command is short-lived). */
export function openConfiguredEngine(
  values: Partial<Record<keyof typeof STORE_FLAGS, string>>,
  env: Record<string, string | undefined>,
  dialects: Dialect[],
): Engine {
  const argv = (Object.keys(STORE_FLAGS) as Array<keyof typeof STORE_FLAGS>).flatMap((flag) =>
    values[flag] === undefined ? [] : [`--${flag}`, String(values[flag])],
  )
  const config = loadConfig({ env, argv, dialects })
  return new Engine(openBackend(config.store, { timeoutMs: config.storeTimeoutMs }), {
    sweepIntervalMs: 0,
    limits: config.engineLimits,
  })
}
