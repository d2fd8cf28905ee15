// Backups of the embedded store: `kvgate backup` and the serving process's scheduled ones.
//
// VACUUM INTO runs in one read transaction of a connection of its own, so it copies one WAL snapshot:
// every write the group-commit writer acknowledged before the backup began (it acknowledges only
// after COMMIT) is in it, and the writer goes on meanwhile (WAL readers do not block writers). It
// writes to FILE.partial, which is checked (PRAGMA integrity_check), fsynced, and only then renamed
// to FILE: an interrupted backup never leaves a FILE that looks complete.

import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'

export class BackupError extends Error {}

export interface BackupResult {
  file: string
  bytes: number
  ms: number
}

/** Copies the database at `source` into a new file `target` (which must not exist). */
export function backupDatabase(source: string, target: string): BackupResult {
  if (source === ':memory:')
    throw new BackupError('the store is in memory (KVGATE_DATA=:memory:): nothing to back up')
  if (!existsSync(source)) throw new BackupError(`no database at ${source}`)
  if (existsSync(target)) throw new BackupError(`${target} exists already: give a new file name`)
  const started = performance.now()
  const partial = `${target}.partial`
  // What a backup that was killed left behind (VACUUM INTO writes its copy with a rollback journal).
  const removePartial = () => {
    for (const leftover of [partial, `${partial}-journal`]) rmSync(leftover, { force: true })
  }
  removePartial()
  const database = new DatabaseSync(source, { readOnly: true })
  try {
    database.exec('PRAGMA busy_timeout = 5000')
    database.prepare('VACUUM INTO ?').run(partial)
  } catch (error) {
    removePartial()
    throw new BackupError(`backup of ${source} failed: ${(error as Error).message}`)
  } finally {
    database.close()
  }
  try {
    const problem = integrityProblem(partial)
    if (problem) throw new BackupError(`the backup failed its integrity check: ${problem}`)
    fsyncPath(partial)
    renameSync(partial, target)
    fsyncPath(dirname(target))
  } catch (error) {
    removePartial()
    throw error
  }
  return { file: target, bytes: statSync(target).size, ms: Math.round(performance.now() - started) }
}

/** What PRAGMA integrity_check finds wrong with the database file, or null when it is sound. */
export function integrityProblem(path: string): string | null {
  let database: DatabaseSync
  try {
    database = new DatabaseSync(path, { readOnly: true })
  } catch (error) {
    return `cannot open it: ${(error as Error).message}`
  }
  try {
    const rows = database.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]
    const found = rows.map((row) => row.integrity_check)
    return found.length === 1 && found[0] === 'ok' ? null : found.slice(0, 5).join('; ')
  } catch (error) {
    // A file that is no database at all fails here ("file is not a database").
    return (error as Error).message
  } finally {
    database.close()
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
