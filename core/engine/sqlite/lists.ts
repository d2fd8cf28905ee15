// Lists on SQLite: a head row per list (next position, length) and one row per element, unique by
// its canonical form, ordered by position. Mutations go through the group commit like every write.

import type { ListElement } from '../backend.ts'
import { compareBytes, prefixEnd } from '../bytes.ts'
import { InvalidError } from '../errors.ts'
import type { Database } from './database.ts'
import type { GroupCommit } from './group-commit.ts'

interface ListHead {
  next_pos: number
  length: number
}

export class SqliteLists {
  constructor(
    private readonly database: Database,
    private readonly writer: GroupCommit,
  ) {}

  write(ns: string, key: Uint8Array, elements: ListElement[]): Promise<string[]> {
    return this.writer.write(() => {
      const { database } = this
      database.sql('DELETE FROM list_items WHERE ns = :ns AND key = :key').run({ ns, key })
      database
        .sql(
          `INSERT INTO lists (ns, key, next_pos, length) VALUES (:ns, :key, :length, :length)
         ON CONFLICT (ns, key) DO UPDATE SET next_pos = :length, length = :length`,
        )
        .run({ ns, key, length: elements.length })
      const insert = database.sql(
        'INSERT INTO list_items (ns, key, pos, canon, text) VALUES (:ns, :key, :pos, :canon, :text)',
      )
      elements.forEach(({ canon, text }, pos) => {
        insert.run({ ns, key, pos, canon, text })
      })
      return elements.map((element) => element.text)
    })
  }

  add(ns: string, key: Uint8Array, elements: ListElement[], maxItems: number): Promise<string[]> {
    return this.writer.write(() => {
      const head = this.head(ns, key) ?? { next_pos: 0, length: 0 }
      const insert = this.database.sql(
        'INSERT OR IGNORE INTO list_items (ns, key, pos, canon, text) VALUES (:ns, :key, :pos, :canon, :text)',
      )
      let { next_pos: nextPos, length } = head
      for (const { canon, text } of elements) {
        if (insert.run({ ns, key, pos: nextPos, canon, text }).changes > 0) {
          nextPos++
          length++
        }
      }
      // Thrown inside this write's savepoint, so the inserts above are undone.
      if (length > maxItems) throw new InvalidError('list-size', `a list holds at most ${maxItems} items`)
      this.saveHead(ns, key, nextPos, length)
      return this.texts(ns, key)
    })
  }

  remove(ns: string, key: Uint8Array, canons: string[]): Promise<string[] | null> {
    return this.writer.write(() => {
      const head = this.head(ns, key)
      if (!head) return null
      const remove = this.database.sql(
        'DELETE FROM list_items WHERE ns = :ns AND key = :key AND canon = :canon',
      )
      let removed = 0
      for (const canon of canons) removed += Number(remove.run({ ns, key, canon }).changes)
      this.saveHead(ns, key, head.next_pos, head.length - removed)
      return this.texts(ns, key)
    })
  }

  async range(ns: string, key: Uint8Array, start: number, end: number): Promise<string[] | null> {
    const head = this.head(ns, key)
    if (!head) return null
    const first = start < 0 ? Math.max(head.length + start, 0) : start
    const last = end < 0 ? head.length + end : Math.min(end, head.length - 1)
    if (first > last || first >= head.length) return []
    const rows = this.database
      .sql(
        'SELECT text FROM list_items WHERE ns = :ns AND key = :key ORDER BY pos LIMIT :limit OFFSET :offset',
      )
      .all({ ns, key, limit: last - first + 1, offset: first }) as unknown as Array<{ text: string }>
    return rows.map((row) => row.text)
  }

  async count(ns: string, key: Uint8Array): Promise<number | null> {
    return this.head(ns, key)?.length ?? null
  }

  async index(ns: string, key: Uint8Array, canons: string[]): Promise<number | null> {
    if (!this.head(ns, key)) return null
    const positionOf = this.database.sql(
      'SELECT pos FROM list_items WHERE ns = :ns AND key = :key AND canon = :canon',
    )
    let first: number | null = null
    for (const canon of canons) {
      const row = positionOf.get({ ns, key, canon }) as { pos: number } | undefined
      if (row && (first === null || row.pos < first)) first = row.pos
    }
    if (first === null) return -1
    const before = this.database
      .sql('SELECT count(*) AS n FROM list_items WHERE ns = :ns AND key = :key AND pos < :pos')
      .get({ ns, key, pos: first }) as { n: number }
    return before.n
  }

  delete(ns: string, key: Uint8Array): Promise<boolean> {
    return this.writer.write(() => {
      this.database.sql('DELETE FROM list_items WHERE ns = :ns AND key = :key').run({ ns, key })
      return this.database.sql('DELETE FROM lists WHERE ns = :ns AND key = :key').run({ ns, key }).changes > 0
    })
  }

  async keys(
    ns: string,
    prefix: Uint8Array | undefined,
    limit: number,
    after?: Uint8Array,
  ): Promise<Uint8Array[]> {
    const upper = prefix?.length ? prefixEnd(prefix) : null
    const start = after && (!prefix || compareBytes(after, prefix) >= 0) ? after : null
    const rows = this.database
      .sql(
        `SELECT key FROM lists WHERE ns = :ns AND key ${start ? '>' : '>='} :lower ${upper ? 'AND key < :upper' : ''} ORDER BY key LIMIT :limit`,
      )
      .all({
        ns,
        lower: start ?? prefix ?? new Uint8Array(0),
        limit,
        ...(upper ? { upper } : {}),
      }) as unknown as Array<{ key: Uint8Array }>
    return rows.map((row) => row.key)
  }

  private head(ns: string, key: Uint8Array): ListHead | undefined {
    return this.database
      .sql('SELECT next_pos, length FROM lists WHERE ns = :ns AND key = :key')
      .get({ ns, key }) as ListHead | undefined
  }

  private saveHead(ns: string, key: Uint8Array, nextPos: number, length: number): void {
    this.database
      .sql(
        `INSERT INTO lists (ns, key, next_pos, length) VALUES (:ns, :key, :nextPos, :length)
       ON CONFLICT (ns, key) DO UPDATE SET next_pos = :nextPos, length = :length`,
      )
      .run({ ns, key, nextPos, length })
  }

  private texts(ns: string, key: Uint8Array): string[] {
    const rows = this.database
      .sql('SELECT text FROM list_items WHERE ns = :ns AND key = :key ORDER BY pos')
      .all({ ns, key }) as unknown as Array<{ text: string }>
    return rows.map((row) => row.text)
  }
}
