// Export: the store as a dump (docs/data-format.md), streamed a page at a time as an async generator
// of text, so memory stays flat whatever the number of keys. Each namespace is read as one snapshot:
// through the backend's snapshot when it has one (SQLite), else fenced by its change mark (Redis).

import {
  ACCOUNTS_NAMESPACE,
  type AccountRecord,
  accountPrefix,
  type CredentialRecord,
  credentialKey,
} from '../auth/accounts.ts'
import type { Backend, BackendSnapshot } from '../engine/backend.ts'
import { fromUtf8 } from '../engine/bytes.ts'
import type { Engine } from '../engine/engine.ts'
import { NotFoundError } from '../engine/errors.ts'
import { LoadingBackend } from '../engine/loading-backend.ts'
import { namespacePage } from '../engine/namespace-pages.ts'
import { type Namespace, RECORD_PREFIX, recordKeyOf, SYSTEM_NAMESPACE } from '../engine/namespaces.ts'
import { defer } from '../engine/sqlite/defer.ts'
import { TimedBackend } from '../engine/timed-backend.ts'
import { BASE62, randomString } from '../ids.ts'
import { VERSION } from '../version.ts'
import { type Consistency, entryLine, FORMAT, FORMAT_VERSION, line, listLine, type Totals } from './format.ts'

/** Entries per scan page: large enough to amortise a round trip, small enough to keep memory flat. */
const PAGE = 500
/** Reads of a namespace on a store without snapshots before it is exported as last read. */
const FENCE_ATTEMPTS = 3

type Reader = BackendSnapshot['reader']

export interface ExportOptions {
  dialect?: string
  namespace?: string
  /** Checked between pages: once true, the export ends early (without its done line). */
  stop?: () => boolean
  /** A dialect's side keyspaces (Dialect.sideKeyspaces), exported with each of its namespaces. */
  sides?: (dialect: string) => string[]
}

export interface ExportStats extends Totals {
  /** Namespaces exported without a consistent read (see docs/data-format.md, Redis). */
  inconsistent: string[]
  /** False when the export was stopped before its end. */
  complete: boolean
  consistency: Consistency
}

/** Stats for an export that has not started: what exportDump fills in as it goes. */
export const emptyExportStats = (): ExportStats => ({
  accounts: 0,
  namespaces: 0,
  entries: 0,
  lists: 0,
  inconsistent: [],
  complete: false,
  consistency: 'none',
})

/** The backend under the engine's wrappers (timing, loading), where snapshot and changeMark live. */
export async function storeOf(engine: Engine): Promise<Backend> {
  let backend = engine.backend
  for (;;) {
    if (backend instanceof LoadingBackend) backend = await backend.loaded
    else if (backend instanceof TimedBackend) backend = backend.backend
    else return backend
  }
}

/** How many live entries the export will hold (for a progress bar's ETA). */
export async function countEntries(engine: Engine, options: ExportOptions): Promise<number> {
  if (options.namespace !== undefined) return engine.count(options.namespace)
  let total = 0
  let after: string | undefined
  do {
    const page = await namespacePage(engine, { dialect: options.dialect, after, limit: 1000 })
    for (const ns of page.namespaces) total += await engine.count(ns.id)
    after = page.next ?? undefined
  } while (after !== undefined)
  return total
}

export async function* exportDump(
  engine: Engine,
  options: ExportOptions,
  stats: ExportStats,
): AsyncGenerator<string> {
  const store = await storeOf(engine)
  const snapshot = (await store.snapshot?.()) ?? null
  const reader: Reader = snapshot?.reader ?? store
  stats.consistency = snapshot ? 'snapshot' : store.changeMark ? 'fence' : 'none'
  const stop = options.stop ?? (() => false)
  const sides = options.sides ?? (() => [])
  try {
    const filter = {
      ...(options.dialect === undefined ? {} : { dialect: options.dialect }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    }
    const now = engine.clock.now()
    const only =
      options.namespace === undefined ? null : await namespaceAt(engine, reader, options.namespace, now)
    if (options.namespace !== undefined && only === null) {
      throw new NotFoundError('namespace', `namespace ${options.namespace} not found`)
    }
    if (only !== null && options.dialect !== undefined && only.dialect !== options.dialect) {
      throw new NotFoundError(
        'namespace',
        `namespace ${options.namespace} is not a ${options.dialect} namespace`,
      )
    }
    yield line({
      format: FORMAT,
      version: FORMAT_VERSION,
      id: randomString(BASE62, 16),
      created: engine.clock.now(),
      kvgate: VERSION,
      store: store.name,
      consistency: stats.consistency,
      filter,
    })
    for await (const text of accountLines(reader, now, options.dialect, only?.owner)) {
      stats.accounts++
      yield text
    }
    const namespaces = only ? oneNamespace(only) : namespaceRecords(engine, reader, now, options.dialect)
    for await (const ns of namespaces) {
      if (stop()) return
      if (snapshot || !store.changeMark) {
        yield* namespaceBlock(reader, ns, now, stats, { stop, sides })
        if (stop()) return
        continue
      }
      // No snapshot: read, and read again while the namespace changed under the read.
      for (let attempt = 1; ; attempt++) {
        const before = await store.changeMark(ns.id)
        const counted = { entries: stats.entries, lists: stats.lists }
        const last = attempt === FENCE_ATTEMPTS
        const settled = async () => {
          const same = (await store.changeMark!(ns.id)) === before
          if (!same && last) stats.inconsistent.push(ns.id)
          return same || last
        }
        const block = namespaceBlock(store, ns, engine.clock.now(), stats, { stop, sides, settled })
        let discarded = false
        for await (const text of block) {
          if (text === DISCARD) {
            discarded = true
            Object.assign(stats, counted)
          }
          yield text
        }
        if (!discarded || stop()) break
      }
      if (stop()) return
      stats.namespaces++
    }
    yield line({
      type: 'done',
      accounts: stats.accounts,
      namespaces: stats.namespaces,
      entries: stats.entries,
      lists: stats.lists,
    })
    stats.complete = true
  } finally {
    await snapshot?.release()
  }
}

const DISCARD = line({ type: 'discard' })
const nextTurn = () => new Promise<void>((resolve) => defer(resolve))

async function* oneNamespace(ns: Namespace): AsyncGenerator<Namespace> {
  yield ns
}

/**
 * One namespace's block: its line, its entries and lists, and its end line; or, when `settled` says
 * the namespace changed while it was read, a discard line in place of the end line.
 */
async function* namespaceBlock(
  reader: Reader,
  ns: Namespace,
  now: number,
  stats: ExportStats,
  block: { stop: () => boolean; sides: (dialect: string) => string[]; settled?: () => Promise<boolean> },
): AsyncGenerator<string> {
  const { stop, settled } = block
  const { id, dialect, owner, title, settings, createdAt } = ns
  yield line({ type: 'namespace', id, dialect, owner, title, settings, created: createdAt })
  let entries = 0
  for (const [keyspace, suffix] of [[id, null], ...block.sides(dialect).map((s) => [`${id}-${s}`, s])]) {
    let cursor: Uint8Array | undefined
    let first = true
    do {
      if (stop()) return
      const page = await reader.scan(keyspace!, { cursor, limit: PAGE, withValues: true }, now)
      let text = first && suffix && page.entries.length > 0 ? line({ type: 'side', suffix }) : ''
      first = false
      for (const entry of page.entries) text += entryLine(entry as Parameters<typeof entryLine>[0])
      entries += page.entries.length
      stats.entries += page.entries.length
      if (text) yield text
      cursor = page.cursor ?? undefined
      // SQLite answers synchronously: without a turn of the event loop between pages, a signal
      // (Ctrl-C) or requests served by the same process would wait for the whole namespace.
      await nextTurn()
    } while (cursor)
  }
  let lists = 0
  let after: Uint8Array | undefined
  for (;;) {
    if (stop()) return
    const keys = await reader.listKeys(id, undefined, PAGE, after)
    let text = ''
    for (const key of keys) {
      const items = await reader.listRange(id, key, 0, -1)
      if (items === null) continue // removed since its key was listed
      text += listLine(key, items)
      lists++
    }
    stats.lists += lists
    if (text) yield text
    if (keys.length < PAGE) break
    after = keys[keys.length - 1]
  }
  if (settled && !(await settled())) {
    yield DISCARD
    return
  }
  const consistent = settled && stats.inconsistent.includes(id) ? { consistent: false } : {}
  yield line({ type: 'end', entries, lists, ...consistent })
  if (!settled) stats.namespaces++
}

async function namespaceAt(
  engine: Engine,
  reader: Reader,
  id: string,
  now: number,
): Promise<Namespace | null> {
  const key = recordKeyOf(id)
  const { entries } = await reader.scan(SYSTEM_NAMESPACE, { prefix: key, limit: 1, withValues: true }, now)
  const entry = entries[0]
  return entry && entry.key.length === key.length ? engine.namespaces.fromRecord(id, entry) : null
}

/** Every namespace record, in id order, read through the reader (the snapshot, when there is one). */
async function* namespaceRecords(
  engine: Engine,
  reader: Reader,
  now: number,
  dialect: string | undefined,
): AsyncGenerator<Namespace> {
  for await (const entry of scanAll(reader, SYSTEM_NAMESPACE, RECORD_PREFIX, now)) {
    const ns = engine.namespaces.fromRecord(fromUtf8(entry.key.subarray(RECORD_PREFIX.length)), entry)
    if (dialect === undefined || ns.dialect === dialect) yield ns
  }
}

/** Every entry under a prefix, with its value, page by page through the reader. */
async function* scanAll(reader: Reader, ns: string, prefix: Uint8Array, now: number) {
  let cursor: Uint8Array | undefined
  do {
    const page = await reader.scan(ns, { prefix, cursor, limit: 1000, withValues: true }, now)
    yield* page.entries
    cursor = page.cursor ?? undefined
  } while (cursor)
}

/** Account lines, with their credentials' hashes, of one dialect or one owner when asked. */
async function* accountLines(
  reader: Reader,
  now: number,
  dialect: string | undefined,
  owner: string | null | undefined,
): AsyncGenerator<string> {
  if (owner === null) return
  for await (const entry of scanAll(reader, ACCOUNTS_NAMESPACE, accountPrefix, now)) {
    const id = fromUtf8(entry.key.subarray(accountPrefix.length))
    const record = JSON.parse(fromUtf8(entry.value!)) as AccountRecord
    if (dialect !== undefined && record.dialect !== dialect) continue
    if (owner !== undefined && id !== owner) continue
    const credentials: Record<string, { id: string; role: string; hash: string }> = {}
    for (const [name, credentialId] of Object.entries(record.credentials)) {
      const found = await readCredential(reader, credentialId, now)
      if (found) credentials[name] = { id: credentialId, role: found.role, hash: found.hash }
    }
    yield line({
      type: 'account',
      id,
      dialect: record.dialect,
      name: record.name,
      created: record.createdAt,
      credentials,
    })
  }
}

async function readCredential(reader: Reader, id: string, now: number): Promise<CredentialRecord | null> {
  const key = credentialKey(id)
  const { entries } = await reader.scan(ACCOUNTS_NAMESPACE, { prefix: key, limit: 1, withValues: true }, now)
  const entry = entries[0]
  return entry && entry.key.length === key.length
    ? (JSON.parse(fromUtf8(entry.value!)) as CredentialRecord)
    : null
}
