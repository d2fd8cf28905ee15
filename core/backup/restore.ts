// `kvgate restore FILE`: replaces the embedded store's content with a backup's.
//
// The rule: restore runs only while nothing else has the database open. It takes SQLite's exclusive
// lock (locking_mode=EXCLUSIVE, no busy wait) before it reads anything; a serving kvgate, or any other
// connection, holds a shared lock on a WAL database for as long as it is open, so the lock is refused
// and restore says so instead of pulling the data from under a server. The lock is held until the
// end, so a kvgate started meanwhile cannot open the file either. The copy is one transaction: a
// restore cut short leaves the database as it was.

import { existsSync, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { BackupError, integrityProblem } from './snapshot.ts'

/** Tables any kvgate database has; a file without them is no kvgate backup. */
const REQUIRED_TABLES = ['entries', 'namespace_state']

export interface RestoreResult {
  file: string
  entries: number
  namespaces: number
  ms: number
}

interface SchemaRow {
  type: string
  name: string
  sql: string | null
}

export function restoreDatabase(backup: string, target: string): RestoreResult {
  if (target === ':memory:')
    throw new BackupError('the store is in memory (KVGATE_DATA=:memory:): nothing to restore into')
  if (!existsSync(backup)) throw new BackupError(`no backup at ${backup}`)
  if (resolve(backup) === resolve(target)) throw new BackupError('the backup is the database itself')
  const problem = integrityProblem(backup)
  if (problem) throw new BackupError(`${backup} is not a sound database (PRAGMA integrity_check): ${problem}`)
  const started = performance.now()
  mkdirSync(dirname(target), { recursive: true })
  const database = new DatabaseSync(target)
  try {
    database.exec('PRAGMA busy_timeout = 0; PRAGMA locking_mode = EXCLUSIVE')
    try {
      database.exec('BEGIN EXCLUSIVE; COMMIT')
    } catch (error) {
      if (!isBusy(error)) throw error
      throw new BackupError(
        `${target} is open in another process (a running kvgate?): stop it, then restore (restore never replaces data under a server)`,
      )
    }
    database.prepare('ATTACH DATABASE ? AS backup').run(backup)
    const schema = database
      .prepare("SELECT type, name, sql FROM backup.sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .all() as unknown as SchemaRow[]
    const tables = schema.filter((row) => row.type === 'table')
    const missing = REQUIRED_TABLES.filter((name) => !tables.some((table) => table.name === name))
    if (missing.length > 0)
      throw new BackupError(`${backup} is no kvgate backup (no table ${missing.join(', ')})`)
    const current = database
      .prepare("SELECT type, name FROM main.sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL")
      .all() as unknown as SchemaRow[]
    database.exec('BEGIN EXCLUSIVE')
    try {
      // The backup's own schema replaces this one; its triggers are created after the copy, so they
      // do not fire on it: the backup's counters (namespace_state) are copied as they are.
      for (const type of ['trigger', 'index', 'table'])
        for (const row of current.filter((each) => each.type === type))
          database.exec(`DROP ${type.toUpperCase()} IF EXISTS main.${quote(row.name)}`)
      for (const table of tables) {
        database.exec(table.sql!)
        database.exec(`INSERT INTO main.${quote(table.name)} SELECT * FROM backup.${quote(table.name)}`)
      }
      for (const row of schema.filter((each) => each.type !== 'table' && each.sql !== null))
        database.exec(row.sql!)
      database.exec('COMMIT')
    } catch (error) {
      database.exec('ROLLBACK')
      throw error
    }
    const count = (sql: string) => (database.prepare(sql).get() as { n: number }).n
    return {
      file: target,
      entries: count('SELECT count(*) AS n FROM main.entries'),
      namespaces: count('SELECT count(*) AS n FROM main.namespace_state'),
      ms: Math.round(performance.now() - started),
    }
  } finally {
    database.close()
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** SQLITE_BUSY (5) or SQLITE_LOCKED (6), with their extended codes in the high bits. */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: number }).errcode
  return code !== undefined && ((code & 0xff) === 5 || (code & 0xff) === 6)
}
