// The migration loop: pages of keys from the source, each key read and written into the engine by a
// bounded pool of workers, and a checkpoint file saved after every page that is wholly copied. An
// interrupted run (Ctrl-C, a failure) leaves the checkpoint at the last whole page; the same command
// then starts there, and rewrites at most one page (writes are idempotent). A finished run deletes it.

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { Accounts, IssuedCredentials } from '../auth/accounts.ts'
import type { Engine } from '../engine/engine.ts'
import { SourceError } from './http.ts'
import type { ListedKey, Source } from './source.ts'

const CHECKPOINT_FORMAT = 1

interface Checkpoint {
  format: number
  from: string
  container: string
  namespace: string
  accountId: string | null
  /** The page to list next; null: the first. */
  cursor: string | null
  /** Keys copied up to that page. */
  copied: number
}

export interface MigrationOptions {
  dialect: string
  source: Source
  engine: Engine
  accounts: Accounts
  checkpointPath: string
  concurrency: number
  accountId: string | null
  createAccount: boolean
  accountName: string | null
  signal: AbortSignal
  /** Told once, when --create-account made an account: its credentials, to print. */
  onCreated(credentials: IssuedCredentials): void
  /** Told after every key. */
  onProgress(copied: number, total: number | null): void
}

export interface MigrationSummary {
  from: string
  container: string
  namespace: string
  account_id: string | null
  /** Keys and lists written. */
  copied: number
  /** Listed, but expired before they were read. */
  expired: number
  /** Listed, but gone before they were read. */
  vanished: number
  throttled: number
  requests: number
  seconds: number
  keys_per_second: number
  resumed: boolean
  interrupted: boolean
  checkpoint: string | null
}

export async function migrate(
  options: MigrationOptions,
  stats: () => { throttled: number; requests: number },
): Promise<MigrationSummary> {
  const { source, engine, signal } = options
  const started = performance.now()
  const saved = readCheckpoint(options.checkpointPath, options.dialect, source.container)
  const destination = await source.destination({
    engine,
    accounts: options.accounts,
    accountId: options.accountId,
    createAccount: options.createAccount && !saved,
    accountName: options.accountName,
    resumed: saved ? { namespace: saved.namespace, accountId: saved.accountId } : null,
  })
  const checkpoint: Checkpoint = saved ?? {
    format: CHECKPOINT_FORMAT,
    from: options.dialect,
    container: source.container,
    namespace: destination.namespace,
    accountId: destination.accountId,
    cursor: null,
    copied: 0,
  }
  // Saved before anything is copied, so a run cut short never makes a second account.
  writeCheckpoint(options.checkpointPath, checkpoint)
  if (destination.created) options.onCreated(destination.created)

  const total = await source.total().catch(() => null)
  let copied = checkpoint.copied
  let expired = 0
  let vanished = 0
  const copyOne = async (listed: ListedKey) => {
    const item = await source.read(listed)
    if (item === null) vanished++
    else if (item.type === 'list') await engine.listWrite(destination.namespace, item.key, item.elements)
    else if (item.expiresAt !== null && item.expiresAt <= Date.now()) expired++
    else await engine.put(destination.namespace, item.key, item.value, { expiresAt: item.expiresAt })
    copied++
    options.onProgress(copied, total)
  }

  let interrupted = false
  for (;;) {
    if (signal.aborted) {
      interrupted = true
      break
    }
    const page = await abortable(source.page(checkpoint.cursor), signal)
    if (page === null || !(await pool(page.keys, options.concurrency, copyOne, signal))) {
      interrupted = true
      break
    }
    checkpoint.cursor = page.next
    checkpoint.copied = copied
    if (page.next === null) break
    writeCheckpoint(options.checkpointPath, checkpoint)
  }
  if (!interrupted) rmSync(options.checkpointPath, { force: true })
  const seconds = (performance.now() - started) / 1000
  const thisRun = copied - (saved?.copied ?? 0)
  return {
    from: options.dialect,
    container: source.container,
    namespace: destination.namespace,
    account_id: destination.accountId,
    copied,
    expired,
    vanished,
    ...stats(),
    seconds: Math.round(seconds * 100) / 100,
    keys_per_second: Math.round(thisRun / Math.max(seconds, 0.001)),
    resumed: saved !== null,
    interrupted,
    checkpoint: interrupted ? options.checkpointPath : null,
  }
}

/**
 * Runs `work` on every item with at most `width` at once. False when the signal stopped it: the
 * items under way are let finish (or fail with the abort), no new one starts.
 */
async function pool<T>(
  items: T[],
  width: number,
  work: (item: T) => Promise<void>,
  signal: AbortSignal,
): Promise<boolean> {
  let next = 0
  let failure: unknown = null
  const worker = async () => {
    while (next < items.length && !signal.aborted && failure === null) {
      const item = items[next++]!
      try {
        await work(item)
      } catch (error) {
        if (!signal.aborted) failure ??= error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  if (failure !== null) throw failure
  return !signal.aborted
}

/** The promise's value, or null once the signal fires (an abort error after it counts as that too). */
async function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  try {
    return await promise
  } catch (error) {
    if (signal.aborted) return null
    throw error
  }
}

function readCheckpoint(path: string, dialect: string, container: string): Checkpoint | null {
  if (!existsSync(path)) return null
  let saved: Checkpoint
  try {
    saved = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint
  } catch (error) {
    throw new SourceError(
      `checkpoint ${path} cannot be read (${(error as Error).message}): delete it to start over`,
    )
  }
  if (saved.format !== CHECKPOINT_FORMAT || saved.from !== dialect || saved.container !== container) {
    throw new SourceError(
      `checkpoint ${path} belongs to another migration (${saved.from} ${saved.container}): give --checkpoint FILE, or delete it`,
    )
  }
  return saved
}

/** Written whole or not at all: a new file, then renamed over the old one. */
function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(checkpoint)}\n`)
  renameSync(`${path}.tmp`, path)
}
