// Import: reads a dump line by line (docs/data-format.md) and hands each record to the import writer,
// entries in pages. Memory holds one page of entries, whatever the size of the dump.

import type { Engine } from '../engine/engine.ts'
import type { Entry } from '../engine/types.ts'
import { VERSION } from '../version.ts'
import { DumpError, type Header, type NamespaceLine, readHeader, readLine, type Totals } from './format.ts'
import { ImportWriter, type OnConflict } from './import-writer.ts'

/** Entries written per call, and the bytes at which a page is written sooner. */
const PAGE = 500
const PAGE_BYTES = 4 * 1024 * 1024
const IN_FLIGHT = 4

export interface ImportOptions {
  onConflict: OnConflict
  /** Checked between lines: once true, the import ends after the current page. */
  stop?: () => boolean
}

export interface ImportStats extends Totals {
  /** Records the store already had and kept (skip), and namespaces a rerun skipped as done. */
  kept: number
  resumed: number
  /** The done line was read: the dump was whole. */
  complete: boolean
  stopped: boolean
  header?: Header
}

export const emptyImportStats = (): ImportStats => ({
  accounts: 0,
  namespaces: 0,
  entries: 0,
  lists: 0,
  kept: 0,
  resumed: 0,
  complete: false,
  stopped: false,
})

interface OpenBlock {
  ns: NamespaceLine
  /** Completed by an earlier run: read past, not written. */
  skip: boolean
  pending: Entry[]
  pendingBytes: number
  /** Where entry lines go: the namespace, or a side keyspace of it after a side line. */
  keyspace: string
  sides: string[]
  entries: number
  lists: number
}

export async function importDump(
  engine: Engine,
  lines: AsyncIterable<string>,
  options: ImportOptions,
  stats: ImportStats,
): Promise<ImportStats> {
  const stop = options.stop ?? (() => false)
  let writer: ImportWriter | null = null
  let block: OpenBlock | null = null
  let number = 0

  // Pages are written while the next ones are read, a few at a time: parsing and the store's work
  // overlap, and on Redis several scripts are in flight. Keys of a keyspace are unique in a dump,
  // so pages in flight together never touch the same entry.
  const inFlight: Array<Promise<void>> = []
  const drain = async () => {
    while (inFlight.length > 0) await inFlight.shift()
  }
  const flush = async (open: OpenBlock) => {
    if (open.pending.length === 0) return
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift()
    const page = open.pending
    open.pending = []
    open.pendingBytes = 0
    const writing = writer!.entries(open.ns.id, page, open.keyspace).then((written) => {
      stats.entries += written
      stats.kept += page.length - written
    })
    // Its failure is thrown where it is awaited; meanwhile it is no unhandled rejection.
    writing.catch(() => {})
    inFlight.push(writing)
  }
  /** Writes what is pending and waits for all of it: before a list, a side switch, a publish or the end. */
  const settle = async (open: OpenBlock) => {
    await flush(open)
    await drain()
  }

  for await (const text of lines) {
    number++
    if (text.length === 0) continue
    if (writer === null) {
      stats.header = readHeader(text, VERSION)
      writer = new ImportWriter(engine, { onConflict: options.onConflict, runId: stats.header.id })
      // A namespace deleted earlier must be gone before one of the same id is staged in its place.
      await engine.namespaces.drainDeleted()
      continue
    }
    if (stop()) {
      stats.stopped = true
      break
    }
    const record = readLine(text, number)
    if (record.type !== 'namespace' && record.type !== 'account' && record.type !== 'done' && !block) {
      throw new DumpError(`line ${number}: a "${record.type}" line outside a namespace's block`)
    }
    switch (record.type) {
      case 'account':
        if (await writer.done('account', record.id)) stats.resumed++
        else if (await writer.account(record)) stats.accounts++
        else stats.kept++
        break
      case 'namespace': {
        if (block) throw new DumpError(`line ${number}: namespace ${block.ns.id} has no end line`)
        const skip = await writer.done('namespace', record.id)
        if (!skip) await writer.beginNamespace(record)
        block = {
          ns: record,
          skip,
          pending: [],
          pendingBytes: 0,
          keyspace: record.id,
          sides: [],
          entries: 0,
          lists: 0,
        }
        break
      }
      case 'entry': {
        const open = block!
        open.entries++
        if (open.skip) break
        open.pending.push(record.entry)
        open.pendingBytes += record.entry.value.length + record.entry.key.length
        if (open.pending.length >= PAGE || open.pendingBytes >= PAGE_BYTES) await flush(open)
        break
      }
      case 'list': {
        const open = block!
        open.lists++
        if (open.skip) break
        await settle(open)
        if (await writer.list(open.ns.id, record.key, record.items)) stats.lists++
        else stats.kept++
        break
      }
      case 'side': {
        const open = block!
        if (!open.skip) await settle(open)
        open.keyspace = `${open.ns.id}-${record.suffix}`
        open.sides.push(open.keyspace)
        break
      }
      case 'discard':
        await drain()
        if (!block!.skip) await writer.discard(block!.ns.id, block!.sides)
        block = null
        break
      case 'end': {
        const open = block!
        if (open.entries !== record.entries || open.lists !== record.lists) {
          throw new DumpError(
            `line ${number}: namespace ${open.ns.id} should hold ${record.entries} entries and ${record.lists} lists, the dump has ${open.entries} and ${open.lists}`,
          )
        }
        block = null
        if (open.skip) {
          stats.resumed++
          break
        }
        await settle(open)
        await writer.publishNamespace(open.ns)
        stats.namespaces++
        break
      }
      case 'done':
        if (block) throw new DumpError(`line ${number}: namespace ${block.ns.id} has no end line`)
        stats.complete = true
        break
    }
  }
  await drain()
  if (writer === null) throw new DumpError('the dump is empty')
  return stats
}
