// `kvgate export` and `kvgate import`: the dump format (docs/data-format.md) to and from the
// configured store, online (a server may keep serving on the same store meanwhile), with progress
// on a terminal, a JSON summary elsewhere, and Ctrl-C stopping cleanly with word of how to go on.

import { once } from 'node:events'
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { countEntries, emptyExportStats, exportDump } from '../data/exporter.ts'
import { DumpError } from '../data/format.ts'
import { ImportConflictError, type OnConflict } from '../data/import-writer.ts'
import { emptyImportStats, importDump } from '../data/importer.ts'
import type { Dialect } from '../dialect.ts'
import { isEngineError } from '../engine/errors.ts'
import { UsageError } from './fail.ts'
import { Progress, rateOf } from './progress.ts'
import { openConfiguredEngine, parseStoreCommand } from './store.ts'

const STORE_FLAGS = `store flags (else the environment): --data FILE | --redis-url URL | --redis-cluster-nodes HOST:PORT,... | --config FILE`

export const EXPORT_USAGE = `usage: kvgate export [--dialect D] [--namespace ID] [--out FILE]
  writes the store as a JSONL dump (docs/data-format.md) to FILE, or to stdout
${STORE_FLAGS}`

export const IMPORT_USAGE = `usage: kvgate import FILE|- [--on-conflict skip|overwrite|fail]
  reads a dump into the store (default skip: what exists is kept); run it again to resume
${STORE_FLAGS}`

/** Ctrl-C asks the running command to stop at its next page; a second one leaves at once. */
function stopOnInterrupt(): { stop: () => boolean; dispose: () => void } {
  let stopped = false
  const onSignal = () => {
    if (stopped) process.exit(130)
    stopped = true
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    stop: () => stopped,
    dispose: () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}

function regularOrAbsent(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return true
  }
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain')
}

/** Runs `kvgate export`; returns the exit code. */
export async function runExport(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: Dialect[],
): Promise<number> {
  const { values, positionals } = parseStoreCommand(
    argv,
    { dialect: { type: 'string' }, namespace: { type: 'string' }, out: { type: 'string' } },
    EXPORT_USAGE,
  )
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"\n${EXPORT_USAGE}`)
  if (values.dialect !== undefined && !dialects.some((d) => d.name === values.dialect)) {
    throw new UsageError(`--dialect must be one of: ${dialects.map((d) => d.name).join(', ')}`)
  }
  const engine = openConfiguredEngine(values, env, dialects)
  const interrupt = stopOnInterrupt()
  // A file is written beside its name and renamed once whole: FILE never holds a partial dump.
  // Anything but a regular file (/dev/null, a pipe, a device) is written as it is: renaming onto
  // it would replace it.
  const partial = values.out === undefined || !regularOrAbsent(values.out) ? null : `${values.out}.partial`
  const out: Writable = values.out === undefined ? process.stdout : createWriteStream(partial ?? values.out)
  const progress = new Progress('export')
  const stats = emptyExportStats()
  const options = {
    dialect: values.dialect,
    namespace: values.namespace,
    stop: interrupt.stop,
    sides: (dialect: string) => dialects.find((d) => d.name === dialect)?.sideKeyspaces ?? [],
  }
  try {
    const total = progress.tty ? await countEntries(engine, options) : 0
    for await (const chunk of exportDump(engine, options, stats)) {
      await write(out, chunk)
      progress.update(stats.entries, total > 0 ? Math.min(stats.entries / total, 1) : null)
    }
    if (values.out !== undefined) {
      out.end()
      await once(out, 'finish')
      if (partial !== null && stats.complete) renameSync(partial, values.out)
    }
  } catch (error) {
    if (partial !== null) rmSync(partial, { force: true })
    if (isEngineError(error)) throw new UsageError(error.message)
    throw error
  } finally {
    interrupt.dispose()
    await engine.close()
  }
  const seconds = progress.seconds
  const summary = {
    command: 'export',
    complete: stats.complete,
    accounts: stats.accounts,
    namespaces: stats.namespaces,
    entries: stats.entries,
    lists: stats.lists,
    seconds: Number(seconds.toFixed(3)),
    keys_per_second: rateOf(stats.entries, seconds),
    consistency: stats.consistency,
    inconsistent: stats.inconsistent,
    ...(values.out === undefined ? {} : { out: stats.complete || partial === null ? values.out : partial }),
  }
  // With the dump on stdout, the summary goes to stderr.
  progress.finish(
    summary,
    `export: ${stats.entries} entries in ${stats.namespaces} namespaces, ${stats.accounts} accounts, ${stats.lists} lists in ${seconds.toFixed(1)} s (${summary.keys_per_second} keys/s)`,
    values.out === undefined ? process.stderr : process.stdout,
  )
  if (stats.inconsistent.length > 0) {
    process.stderr.write(
      `kvgate: warning: written to during every read, exported without a consistent snapshot: ${stats.inconsistent.join(', ')}\n`,
    )
  }
  if (!stats.complete) {
    process.stderr.write(
      `kvgate: export stopped after ${stats.entries} entries; ${partial ?? values.out ?? 'the output'} is incomplete (it has no "done" line). Run the same export again to get a whole dump.\n`,
    )
    return 130
  }
  return 0
}

/** Runs `kvgate import`; returns the exit code. */
export async function runImport(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: Dialect[],
): Promise<number> {
  const { values, positionals } = parseStoreCommand(argv, { 'on-conflict': { type: 'string' } }, IMPORT_USAGE)
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0) throw new UsageError(IMPORT_USAGE)
  const onConflict = (values['on-conflict'] ?? 'skip') as OnConflict
  if (!['skip', 'overwrite', 'fail'].includes(onConflict)) {
    throw new UsageError(`--on-conflict must be skip, overwrite or fail\n${IMPORT_USAGE}`)
  }
  let size = 0
  let input: Readable
  if (file === '-') input = process.stdin
  else {
    try {
      size = statSync(file).size
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`)
    }
    input = createReadStream(file)
  }
  const engine = openConfiguredEngine(values, env, dialects)
  const interrupt = stopOnInterrupt()
  const progress = new Progress('import')
  const stats = emptyImportStats()
  async function* lines(): AsyncGenerator<string> {
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      yield text
      const read = (input as { bytesRead?: number }).bytesRead ?? 0
      progress.update(stats.entries + stats.kept, size > 0 ? read / size : null)
    }
  }
  try {
    await importDump(engine, lines(), { onConflict, stop: interrupt.stop }, stats)
  } catch (error) {
    if (error instanceof DumpError || error instanceof ImportConflictError)
      throw new UsageError(error.message)
    if (isEngineError(error)) throw new UsageError(error.message)
    throw error
  } finally {
    interrupt.dispose()
    input.destroy()
    await engine.close()
  }
  const seconds = progress.seconds
  const summary = {
    command: 'import',
    complete: stats.complete,
    stopped: stats.stopped,
    accounts: stats.accounts,
    namespaces: stats.namespaces,
    entries: stats.entries,
    lists: stats.lists,
    kept: stats.kept,
    resumed: stats.resumed,
    seconds: Number(seconds.toFixed(3)),
    keys_per_second: rateOf(stats.entries, seconds),
  }
  progress.finish(
    summary,
    `import: ${stats.entries} entries, ${stats.namespaces} namespaces, ${stats.accounts} accounts, ${stats.lists} lists written, ${stats.kept} kept, ${stats.resumed} already done, in ${seconds.toFixed(1)} s (${summary.keys_per_second} keys/s)`,
    process.stdout,
  )
  const again = `kvgate import ${file === '-' ? '- (with the same dump)' : file}`
  if (stats.stopped) {
    process.stderr.write(
      `kvgate: import stopped; run \`${again}\` again to resume: what was completed is skipped, and no half-imported namespace is visible meanwhile.\n`,
    )
    return 130
  }
  if (!stats.complete) {
    process.stderr.write(
      `kvgate: the dump has no "done" line (it was cut short): only its complete namespaces were imported.\n`,
    )
    return 1
  }
  return 0
}
