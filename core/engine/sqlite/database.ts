// One SQLite connection of the embedded store, through node:sqlite (which both Bun and Deno
// provide): opened in WAL mode with the schema in place, and its prepared statements kept by text.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { CHANGES_SCHEMA, SCHEMA } from './schema.ts'

export type SqliteSyncMode = 'off' | 'normal' | 'full'

export class Database {
  readonly connection: DatabaseSync
  private readonly statements = new Map<string, StatementSync>()

  /** Opens (or creates) the file, or ':memory:'; its folder is created when missing. */
  constructor(path: string, synchronous: SqliteSyncMode = 'normal') {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    this.connection = new DatabaseSync(path)
    this.connection.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous};`)
    this.connection.exec('PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = OFF;')
    this.connection.exec(SCHEMA)
    this.connection.exec(CHANGES_SCHEMA)
    const columns = this.connection.prepare('PRAGMA table_info(namespace_state)').all() as Array<{
      name: string
    }>
    if (!columns.some((column) => column.name === 'revision')) {
      this.connection.exec('ALTER TABLE namespace_state ADD COLUMN revision INTEGER NOT NULL DEFAULT 0')
    }
  }

  /** The prepared statement of this text, prepared on first use. */
  sql(text: string): StatementSync {
    let statement = this.statements.get(text)
    if (!statement) {
      statement = this.connection.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  /** The counter SQLite bumps whenever another connection commits (PRAGMA data_version). */
  dataVersion(): number {
    return (this.sql('PRAGMA data_version').get() as { data_version: number }).data_version
  }

  close(): void {
    this.connection.close()
  }
}
