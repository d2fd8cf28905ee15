// The operator's view of what is stored: every dialect's namespaces and their entries, as the admin
// API (/admin/namespaces...) and `kvgate data` show them. One place turns engine records into the
// JSON both print, so the HTTP answer and the command's output cannot drift apart.
//
// Only namespaces the registry knows are reachable: the engine's own namespaces (credentials,
// accounts, rate limits) start with "_", have no record, and are never shown.

import type { Accounts } from '../auth/accounts.ts'
import type { Engine } from '../engine/engine.ts'
import { ConflictError, NotFoundError } from '../engine/errors.ts'
import { namespacePage } from '../engine/namespace-pages.ts'
import type { Namespace } from '../engine/namespaces.ts'
import type { EntryInfo, PutOptions } from '../engine/types.ts'
import { decodeCursor, encodeCursor } from '../http/cursor.ts'
import { HttpError } from '../http/errors.ts'
import {
  type EntryJson,
  type EntryWrite,
  entryJson,
  iso,
  type KeyRowJson,
  keyRowJson,
  valueToStore,
} from './entry-json.ts'

export interface NamespaceJson {
  id: string
  dialect: string
  owner: string | null
  title: string | null
  /** Live (unexpired) entries. */
  keys: number
  created_at: string
}

export const NAMESPACE_PAGE_MAX = 1000
export const KEY_PAGE_MAX = 1000

export class AdminData {
  constructor(
    private readonly engine: Engine,
    private readonly accounts: Accounts,
    /** Dialects whose values are all JSON text (Dialect.jsonValues). */
    private readonly jsonDialects: ReadonlySet<string> = new Set(),
  ) {}

  async namespaces(query: {
    dialect?: string
    account?: string
    cursor?: string
    limit: number
  }): Promise<{ namespaces: NamespaceJson[]; cursor: string | null }> {
    const page = await namespacePage(this.engine, {
      dialect: query.dialect,
      owner: query.account,
      after: query.cursor,
      limit: query.limit,
    })
    return {
      namespaces: await Promise.all(page.namespaces.map((ns) => this.namespaceJson(ns))),
      cursor: page.next,
    }
  }

  async namespace(id: string): Promise<NamespaceJson> {
    return this.namespaceJson(await this.found(id))
  }

  async deleteNamespace(id: string): Promise<void> {
    const ns = await this.found(id)
    // A LightKV app or RocketStack account is its namespace: its credentials would go on writing
    // to a namespace nobody lists. The account goes, and its namespace with it.
    if (ns.owner === ns.id) {
      throw new HttpError(409, `namespace ${id} is account ${id}'s own: delete the account instead`)
    }
    if (!(await this.engine.namespaces.delete(id))) throw notFound()
  }

  async keys(
    id: string,
    query: { prefix?: Uint8Array; cursor?: string; limit: number },
  ): Promise<{ keys: KeyRowJson[]; cursor: string | null }> {
    await this.found(id)
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    if (cursor === null) throw new HttpError(400, 'cursor is not one this server handed out')
    // With values: a row shows the value's size, which only the value tells.
    const page = await this.engine.scan(id, {
      prefix: query.prefix,
      cursor,
      limit: query.limit,
      withValues: true,
    })
    return {
      keys: page.entries.map((entry) => keyRowJson(entry as EntryInfo & { value: Uint8Array })),
      cursor: page.cursor === null ? null : encodeCursor(page.cursor),
    }
  }

  /** The entry, or null when the namespace has no live entry under the key. */
  async entry(id: string, key: Uint8Array): Promise<EntryJson | null> {
    await this.found(id)
    const entry = await this.engine.get(id, key)
    return entry && entryJson(entry)
  }

  /** Writes an entry; returns its new version. */
  async putEntry(id: string, key: Uint8Array, write: EntryWrite): Promise<{ version: number }> {
    const ns = await this.found(id)
    const current = await this.engine.get(id, key)
    const value = valueToStore(write, current, this.jsonDialects.has(ns.dialect) ? ns.dialect : null)
    const options: PutOptions = {}
    if (write.ttl !== undefined) options.ttlMs = write.ttl * 1000
    else if (write.expiresAt !== undefined) options.expiresAt = write.expiresAt
    if (write.ifMatch === '*') options.ifExists = true
    else if (write.ifMatch !== undefined) options.ifVersion = write.ifMatch
    try {
      const { version } = await this.engine.put(id, key, value, options)
      return { version }
    } catch (error) {
      throw preconditionOf(error)
    }
  }

  /** Deletes an entry; false when there was none. */
  async deleteEntry(id: string, key: Uint8Array, ifMatch?: number | '*'): Promise<boolean> {
    await this.found(id)
    try {
      return await this.engine.delete(id, key, {
        ifVersion: typeof ifMatch === 'number' ? ifMatch : undefined,
        ifExists: ifMatch === '*' || undefined,
      })
    } catch (error) {
      throw preconditionOf(error)
    }
  }

  /** Namespaces per dialect and accounts per dialect. */
  async counts(): Promise<{ namespaces: Record<string, number>; accounts: Record<string, number> }> {
    const namespaces: Record<string, number> = {}
    let after: string | undefined
    do {
      const page = await namespacePage(this.engine, { after, limit: NAMESPACE_PAGE_MAX })
      for (const ns of page.namespaces) namespaces[ns.dialect] = (namespaces[ns.dialect] ?? 0) + 1
      after = page.next ?? undefined
    } while (after !== undefined)
    const accounts: Record<string, number> = {}
    for (const account of await this.accounts.list()) {
      accounts[account.dialect] = (accounts[account.dialect] ?? 0) + 1
    }
    return { namespaces, accounts }
  }

  private async found(id: string): Promise<Namespace> {
    const ns = id.startsWith('_') ? null : await this.engine.namespaces.get(id)
    if (!ns) throw notFound()
    return ns
  }

  private async namespaceJson(ns: Namespace): Promise<NamespaceJson> {
    return {
      id: ns.id,
      dialect: ns.dialect,
      owner: ns.owner,
      title: ns.title,
      keys: await this.engine.count(ns.id),
      created_at: iso(ns.createdAt)!,
    }
  }
}

const notFound = () => new NotFoundError('namespace', 'namespace not found')

function preconditionOf(error: unknown): unknown {
  if (error instanceof ConflictError && (error.reason === 'version' || error.reason === 'missing')) {
    return new HttpError(412, 'the entry is not at the version given in If-Match')
  }
  return error
}
