// The writing side of import (and of migrate): accounts with their credential hashes, namespaces
// staged out of sight and published last, entries with their own versions and times, lists; each
// conflict with what the store holds settled by one policy; progress marked so a rerun resumes.
//
// A namespace that did not exist gets its entries and lists first and its record (what makes every
// dialect see it) at publish: until then no dialect can reach it, so a stopped import leaves no
// namespace that looks complete but is not.

import {
  ACCOUNTS_NAMESPACE,
  type AccountRecord,
  accountKey,
  type CredentialRecord,
  credentialKey,
} from '../auth/accounts.ts'
import { fromUtf8, utf8 } from '../engine/bytes.ts'
import type { Engine } from '../engine/engine.ts'
import { ConflictError, UnavailableError } from '../engine/errors.ts'
import {
  type Namespace,
  type NamespaceRecord,
  ownedKeyOf,
  recordKeyOf,
  SYSTEM_NAMESPACE,
  titleKeyOf,
} from '../engine/namespaces.ts'
import type { Entry } from '../engine/types.ts'
import type { AccountLine, NamespaceLine } from './format.ts'

export type OnConflict = 'skip' | 'overwrite' | 'fail'

/** Where import remembers what it has completed, per run, for a rerun to skip. */
export const IMPORT_NAMESPACE = '_import'
const MARK_TTL_MS = 30 * 24 * 3600 * 1000
const NAMESPACE_ID = /^[A-Za-z0-9-][A-Za-z0-9_-]{0,63}$/

/** Something in the dump collides with what the store holds, under --on-conflict fail; or cannot be merged. */
export class ImportConflictError extends Error {}

export interface ImportWriterOptions {
  onConflict: OnConflict
  /** Names this run's progress marks (a dump's id); without it nothing is marked or skipped. */
  runId?: string
}

/** Attempts at a page the store did not answer in time, waiting 0.5, 1, 2, 4 s between them. */
const ATTEMPTS = 5

/**
 * Runs a write again when the store timed out or was unreachable: a page written with its own
 * versions is the same page written twice, so retrying is safe, and a busy store does not end an
 * import of millions of keys.
 */
async function retrying<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write()
    } catch (error) {
      if (!(error instanceof UnavailableError) || attempt === ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt))
    }
  }
}

const json = (value: unknown) => ({ bytes: utf8(JSON.stringify(value)), kind: 'json' as const })

export class ImportWriter {
  /** Namespaces begun and not yet published: what the store held when each began (null: nothing). */
  private readonly open = new Map<string, Namespace | null>()

  constructor(
    private readonly engine: Engine,
    private readonly options: ImportWriterOptions,
  ) {}

  /** Whether this run already completed this account ('account') or namespace ('namespace'). */
  async done(kind: 'account' | 'namespace', id: string): Promise<boolean> {
    if (this.options.runId === undefined) return false
    return (await this.engine.get(IMPORT_NAMESPACE, this.markKey(kind, id))) !== null
  }

  /** Writes an account and its credential records; false when an existing one was kept. */
  async account(account: AccountLine): Promise<boolean> {
    const existing = await this.engine.get(ACCOUNTS_NAMESPACE, accountKey(account.id))
    if (existing && !this.replace(`account ${account.id}`)) return this.mark('account', account.id, false)
    const record: AccountRecord = {
      dialect: account.dialect,
      name: account.name,
      createdAt: account.created,
      credentials: Object.fromEntries(Object.entries(account.credentials).map(([name, c]) => [name, c.id])),
    }
    const kept = new Set(Object.values(record.credentials))
    const stale = existing
      ? Object.values((JSON.parse(fromUtf8(existing.value)) as AccountRecord).credentials).filter(
          (id) => !kept.has(id),
        )
      : []
    await this.engine.batch(ACCOUNTS_NAMESPACE, [
      { type: 'put', key: accountKey(account.id), value: json(record) },
      ...Object.values(account.credentials).map((credential) => ({
        type: 'put' as const,
        key: credentialKey(credential.id),
        value: json({
          accountId: account.id,
          dialect: account.dialect,
          role: credential.role,
          hash: credential.hash,
        } satisfies CredentialRecord),
      })),
      ...stale.map((id) => ({ type: 'delete' as const, key: credentialKey(id) })),
    ])
    return this.mark('account', account.id, true)
  }

  /** Starts a namespace: checks the policy against what the store holds, before anything is written. */
  async beginNamespace(ns: NamespaceLine): Promise<void> {
    if (!NAMESPACE_ID.test(ns.id)) throw new ImportConflictError(`namespace id "${ns.id}" is not valid`)
    const existing = await this.engine.namespaces.get(ns.id)
    if (existing) {
      this.replace(`namespace ${ns.id}`)
      if (existing.dialect !== ns.dialect || existing.owner !== ns.owner) {
        throw new ImportConflictError(
          `namespace ${ns.id} exists for another dialect or owner (${existing.dialect}, ${existing.owner ?? 'no owner'}); delete it first`,
        )
      }
    }
    if (ns.title !== null && existing?.title !== ns.title) {
      const holder = await this.engine.get(SYSTEM_NAMESPACE, titleKeyOf(ns.dialect, ns.owner, ns.title))
      if (holder && fromUtf8(holder.value) !== ns.id) {
        throw new ImportConflictError(
          `namespace ${ns.id}: its title "${ns.title}" is taken by another ${ns.dialect} namespace of the same owner`,
        )
      }
    }
    this.open.set(ns.id, existing)
  }

  /**
   * Writes a page of a begun namespace's entries, into the namespace or one of its side keyspaces
   * (`<id>-<suffix>`); returns how many were written (not kept).
   */
  async entries(id: string, entries: Entry[], keyspace = id): Promise<number> {
    const { limits } = this.engine
    for (const entry of entries) {
      if (entry.key.length === 0 || entry.key.length > limits.maxKeyBytes) {
        throw new ImportConflictError(
          `namespace ${id}: a key of ${entry.key.length} bytes is beyond this store's limits`,
        )
      }
      if (entry.value.length > limits.maxValueBytes) {
        throw new ImportConflictError(
          `namespace ${id}: a value of ${entry.value.length} bytes is beyond this store's limit`,
        )
      }
    }
    const overwrite = this.overwrites(id)
    return retrying(() => this.engine.backend.restore(keyspace, entries, overwrite, this.engine.clock.now()))
  }

  /** Writes one list of a begun namespace; false when an existing one was kept. */
  async list(id: string, key: Uint8Array, items: string[]): Promise<boolean> {
    if (!this.overwrites(id) && (await this.engine.backend.listCount(id, key)) !== null) return false
    await retrying(() => this.engine.listWrite(id, key, items))
    return true
  }

  /** Throws away what a begun namespace staged (a discarded block), if the namespace is new. */
  async discard(id: string, sides: string[] = []): Promise<void> {
    if (this.stateOf(id) !== null) return
    for (const keyspace of [id, ...sides]) {
      while (!(await this.engine.backend.dropNamespace(keyspace, 10_000))) {}
    }
  }

  /** Publishes a begun namespace: its record is written last, and the namespace marked done. */
  async publishNamespace(ns: NamespaceLine): Promise<void> {
    const existing = this.stateOf(ns.id)
    this.open.delete(ns.id)
    if (existing && this.options.onConflict === 'skip') return this.markDone('namespace', ns.id)
    const record: NamespaceRecord = {
      dialect: ns.dialect,
      owner: ns.owner,
      title: ns.title,
      settings: ns.settings,
      createdAt: ns.created,
    }
    const titleChanged = existing?.title !== ns.title
    const ops = [
      existing
        ? { type: 'put' as const, key: recordKeyOf(ns.id), value: json(record), ifVersion: existing.version }
        : { type: 'put' as const, key: recordKeyOf(ns.id), value: json(record), ifAbsent: true },
      ...(titleChanged && ns.title !== null
        ? [
            {
              type: 'put' as const,
              key: titleKeyOf(ns.dialect, ns.owner, ns.title),
              value: { bytes: utf8(ns.id) },
              ifAbsent: true,
            },
          ]
        : []),
      ...(titleChanged && existing?.title
        ? [{ type: 'delete' as const, key: titleKeyOf(ns.dialect, ns.owner, existing.title) }]
        : []),
      ...(ns.owner === null
        ? []
        : [
            {
              type: 'put' as const,
              key: ownedKeyOf(ns.dialect, ns.owner, ns.id),
              value: { bytes: new Uint8Array(0) },
            },
          ]),
    ]
    try {
      await this.engine.batch(SYSTEM_NAMESPACE, ops)
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error
      throw new ImportConflictError(
        error.opIndex === 0
          ? `namespace ${ns.id} changed while it was imported; import again`
          : `namespace ${ns.id}: its title "${ns.title}" is taken by another ${ns.dialect} namespace of the same owner`,
      )
    }
    await this.markDone('namespace', ns.id)
  }

  private stateOf(id: string): Namespace | null {
    const state = this.open.get(id)
    if (state === undefined) throw new Error(`namespace ${id} was not begun`)
    return state
  }

  /** A new namespace is ours alone (anything staged there is from an earlier run of this import). */
  private overwrites(id: string): boolean {
    return this.stateOf(id) === null || this.options.onConflict === 'overwrite'
  }

  /** Whether an existing record is to be replaced; throws under fail. */
  private replace(what: string): boolean {
    if (this.options.onConflict === 'fail') {
      throw new ImportConflictError(`${what} already exists (--on-conflict fail); nothing of it was written`)
    }
    return this.options.onConflict === 'overwrite'
  }

  private async mark(kind: 'account' | 'namespace', id: string, written: boolean): Promise<boolean> {
    await this.markDone(kind, id)
    return written
  }

  private async markDone(kind: 'account' | 'namespace', id: string): Promise<void> {
    if (this.options.runId === undefined) return
    await this.engine.put(
      IMPORT_NAMESPACE,
      this.markKey(kind, id),
      { bytes: new Uint8Array(0) },
      { ttlMs: MARK_TTL_MS },
    )
  }

  private markKey(kind: string, id: string): Uint8Array {
    return utf8(`${this.options.runId}\u0000${kind}\u0000${id}`)
  }
}
