// Every namespace of every dialect, in id order, a page at a time: what the operator's tools (the
// admin API, export) list, filtered by dialect and owner.

import { fromUtf8 } from './bytes.ts'
import type { Engine } from './engine.ts'
import { type Namespace, RECORD_PREFIX, recordKeyOf, SYSTEM_NAMESPACE } from './namespaces.ts'

export interface NamespacePageQuery {
  dialect?: string
  /** null: namespaces nobody owns. */
  owner?: string | null
  /** The last id of the previous page. */
  after?: string
  limit: number
}

export async function namespacePage(
  engine: Engine,
  query: NamespacePageQuery,
): Promise<{ namespaces: Namespace[]; next: string | null }> {
  const namespaces: Namespace[] = []
  let cursor = query.after === undefined ? undefined : recordKeyOf(query.after)
  for (;;) {
    const page = await engine.scan(SYSTEM_NAMESPACE, {
      prefix: RECORD_PREFIX,
      cursor,
      limit: Math.max(query.limit, 100),
      withValues: true,
    })
    const { entries } = page
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      const id = fromUtf8(entry.key.subarray(RECORD_PREFIX.length))
      const ns = engine.namespaces.fromRecord(id, entry)
      if (query.dialect !== undefined && ns.dialect !== query.dialect) continue
      if (query.owner !== undefined && ns.owner !== query.owner) continue
      namespaces.push(ns)
      if (namespaces.length === query.limit) {
        const more = i < entries.length - 1 || page.cursor !== null
        return { namespaces, next: more ? id : null }
      }
    }
    if (page.cursor === null) return { namespaces, next: null }
    cursor = page.cursor
  }
}
