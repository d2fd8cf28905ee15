// Group commit for the SQLite backend: every mutation that arrives while the event loop is busy
// joins one transaction, each inside its own savepoint (so a failing one changes nothing), and no
// promise resolves before COMMIT returns. Under synchronous=NORMAL a committed write survives a
// killed process; under FULL it also survives power loss. One fsync then serves many writes.

import { EngineError, UnavailableError } from '../errors.ts'
import type { Database } from './database.ts'
import { defer } from './defer.ts'

interface PendingWrite {
  run: () => unknown
  resolve: (value: any) => void
  reject: (error: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/** What runs at the edges of each group's transaction (the change log inserts its rows before COMMIT). */
export interface CommitHooks {
  /** Inside the transaction, after every write, outside their savepoints; a throw fails them all. */
  beforeCommit(): void
  /** After the transaction was rolled back: nothing of it was written. */
  afterRollback(): void
}

export class GroupCommit {
  hooks: CommitHooks | null = null
  private pending: PendingWrite[] = []
  private flushing = false
  private closed = false

  constructor(private readonly database: Database) {}

  /** Queues a mutation (synchronous SQL) for the next group commit; resolves once it is committed. */
  write<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError('closed', 'store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject })
      if (this.pending.length === 1 && !this.flushing) defer(() => this.flush())
    })
  }

  /** Refuses new writes and resolves once every queued one is committed or failed. */
  async close(): Promise<void> {
    this.closed = true
    while (this.pending.length > 0 || this.flushing) await new Promise((resolve) => setTimeout(resolve, 1))
  }

  private flush(): void {
    const writes = this.pending
    this.pending = []
    if (writes.length === 0) return
    this.flushing = true
    const { database } = this
    const outcomes: Outcome[] = []
    try {
      database.sql('BEGIN IMMEDIATE').run()
      for (const write of writes) {
        database.sql('SAVEPOINT write').run()
        try {
          outcomes.push({ ok: true, value: write.run() })
          database.sql('RELEASE write').run()
        } catch (error) {
          database.sql('ROLLBACK TO write').run()
          database.sql('RELEASE write').run()
          outcomes.push({ ok: false, error: storeError(error) })
        }
      }
      this.hooks?.beforeCommit()
      database.sql('COMMIT').run()
    } catch (error) {
      // The transaction itself failed: nothing was written, so nothing may be acknowledged.
      if (database.connection.isTransaction) database.connection.exec('ROLLBACK')
      this.hooks?.afterRollback()
      this.flushing = false
      for (const write of writes) write.reject(storeError(error))
      if (this.pending.length > 0) defer(() => this.flush())
      return
    }
    this.flushing = false
    writes.forEach((write, index) => {
      const outcome = outcomes[index]!
      if (outcome.ok) write.resolve(outcome.value)
      else write.reject(outcome.error)
    })
    if (this.pending.length > 0) defer(() => this.flush())
  }
}

/** Engine errors pass through; a busy or locked database is "unavailable"; anything else stays as it is. */
function storeError(error: unknown): unknown {
  if (error instanceof EngineError) return error
  const code = (error as { errcode?: number }).errcode
  // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes in the high bits.
  if (code !== undefined && ((code & 0xff) === 5 || (code & 0xff) === 6)) {
    return new UnavailableError('busy', 'database is busy')
  }
  return error
}
