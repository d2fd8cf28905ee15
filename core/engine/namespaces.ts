// Namespaces (a KVdb bucket, a CloudKV bucket, a Workers KV namespace, a LightKV app, a RocketStack
// account), kept as entries of the system namespace through the engine's own atomic operations,
// so every backend stores them, and every process sharing a store sees the same ones at once.

import { BASE58, randomString } from '../ids.ts'
import { fromUtf8, utf8 } from './bytes.ts'
import type { Engine } from './engine.ts'
import { ConflictError, InvalidError, NotFoundError } from './errors.ts'

/** Namespace of the engine's own records: namespaces, accounts, credentials. */
export const SYSTEM_NAMESPACE = '_system'

const NAMESPACE_ID = /^[A-Za-z0-9_-]{1,64}$/
const DROP_BATCH = 10_000
const UPDATE_ATTEMPTS = 20
/** How many parsed namespace records are remembered (oldest forgotten first). */
const PARSED_NAMESPACES = 10_000

/**
 * A namespace as read. Treat it as read-only: the registry hands the same (frozen) object to every
 * reader of one version of the record.
 */
export interface Namespace<Settings extends object = Record<string, unknown>> {
  id: string
  /** The dialect that created it (kvdb, cloudkv, workers-kv, lightkv, rocketstack). */
  dialect: string
  /** Owning account, or null for namespaces nobody owns (KVdb buckets). */
  owner: string | null
  /** Unique per dialect and owner when set. */
  title: string | null
  /** The dialect's policy: modes, hashed keys, default TTL. */
  settings: Settings
  createdAt: number
  /** Changes on every update; pass it back as ifVersion to update without losing a concurrent change. */
  version: number
}

export interface NewNamespace<Settings extends object> {
  dialect: string
  /** Caller-chosen id in the dialect's own format; a random one otherwise. */
  id?: string
  owner?: string | null
  title?: string | null
  settings?: Settings
}

export interface NamespaceChange<Settings extends object> {
  title?: string | null
  settings?: Settings
}

/** A namespace as stored in its record (import writes one as it is). */
export interface NamespaceRecord {
  dialect: string
  owner: string | null
  title: string | null
  settings: object
  createdAt: number
}

// Parts are joined by 0x00, which no id, dialect, owner or title contains.
const systemKey = (...parts: string[]) => utf8(parts.join('\u0000'))
const recordKey = (id: string) => systemKey('ns', id)
/** Where every namespace's record starts, for listing them all (see namespace-pages.ts). */
export const RECORD_PREFIX = systemKey('ns', '')
export const recordKeyOf = recordKey
const titleKey = (dialect: string, owner: string | null, title: string) =>
  systemKey('title', dialect, owner ?? '', title)
const ownedPrefix = (dialect: string, owner: string) => systemKey('owned', dialect, owner, '')
const ownedKey = (dialect: string, owner: string, id: string) => systemKey('owned', dialect, owner, id)
/** The title's and the owner's index keys of a namespace, which import writes beside its record. */
export const titleKeyOf = titleKey
export const ownedKeyOf = ownedKey
const dropPrefix = systemKey('drop', '')
const dropKey = (id: string) => systemKey('drop', id)
const EMPTY = { bytes: new Uint8Array(0) }

export class NamespaceRegistry {
  private draining: Promise<void> | null = null
  /**
   * Namespaces by id, as parsed from the record of their version. The record is still read on every
   * get (a change by any process counts at once); only parsing a version already parsed is skipped.
   */
  private readonly parsed = new Map<string, { key: Uint8Array; namespace: Namespace<object> }>()

  constructor(
    private readonly engine: Engine,
    private readonly onBackgroundError?: (error: unknown) => void,
  ) {}

  async create<S extends object>(input: NewNamespace<S>): Promise<Namespace<S>> {
    if (input.id !== undefined) checkId(input.id)
    const owner = input.owner ?? null
    const title = input.title ?? null
    for (const part of [input.dialect, owner ?? '', title ?? '']) {
      if (part.includes('\u0000')) throw new InvalidError('name', 'names must not contain NUL')
    }
    const record: NamespaceRecord = {
      dialect: input.dialect,
      owner,
      title,
      settings: input.settings ?? {},
      createdAt: this.engine.clock.now(),
    }
    const stored = jsonValue(record)
    for (;;) {
      const id = input.id ?? randomString(BASE58, 22)
      const ops = [
        { type: 'put' as const, key: recordKey(id), value: stored, ifAbsent: true },
        ...(title === null
          ? []
          : [
              {
                type: 'put' as const,
                key: titleKey(input.dialect, owner, title),
                value: { bytes: utf8(id) },
                ifAbsent: true,
              },
            ]),
        ...(owner === null
          ? []
          : [{ type: 'put' as const, key: ownedKey(input.dialect, owner, id), value: EMPTY }]),
      ]
      try {
        const { versions } = await this.engine.batch(SYSTEM_NAMESPACE, ops)
        return this.remember<S>(id, stored.bytes, versions[0]!)
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error
        if (error.opIndex === 0 && input.id === undefined) continue // a random id collided: draw again
        throw error.opIndex === 0
          ? new ConflictError('exists', 'namespace exists', error.opIndex)
          : new ConflictError('title-taken', 'title taken', error.opIndex)
      }
    }
  }

  async get<S extends object = Record<string, unknown>>(id: string): Promise<Namespace<S> | null> {
    const known = this.parsed.get(id)
    if (known === undefined && !NAMESPACE_ID.test(id)) return null
    const key = known?.key ?? recordKey(id)
    const entry = await this.engine.get(SYSTEM_NAMESPACE, key)
    if (!entry) {
      this.parsed.delete(id)
      return null
    }
    if (known !== undefined && known.namespace.version === entry.version)
      return known.namespace as Namespace<S>
    return this.remember<S>(id, entry.value, entry.version, key)
  }

  /**
   * Applies a change computed from the current namespace, atomically: the write succeeds only if
   * nobody changed the namespace meanwhile, and is recomputed from the new state when somebody did.
   * With ifVersion, a concurrent change is a ConflictError instead.
   */
  async update<S extends object>(
    id: string,
    change: NamespaceChange<S> | ((current: Namespace<S>) => NamespaceChange<S>),
    options: { ifVersion?: number } = {},
  ): Promise<Namespace<S>> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.get<S>(id)
      if (!current) throw new NotFoundError('namespace', 'namespace not found')
      if (options.ifVersion !== undefined && current.version !== options.ifVersion) {
        throw new ConflictError('namespace-changed', 'namespace changed')
      }
      const { title = current.title, settings = current.settings } =
        typeof change === 'function' ? change(current) : change
      const stored = jsonValue({ ...current, title, settings } satisfies NamespaceRecord)
      const titleChanged = title !== current.title
      const ops = [
        { type: 'put' as const, key: recordKey(id), value: stored, ifVersion: current.version },
        ...(titleChanged && title !== null
          ? [
              {
                type: 'put' as const,
                key: titleKey(current.dialect, current.owner, title),
                value: { bytes: utf8(id) },
                ifAbsent: true,
              },
            ]
          : []),
        ...(titleChanged && current.title !== null
          ? [{ type: 'delete' as const, key: titleKey(current.dialect, current.owner, current.title) }]
          : []),
      ]
      try {
        const { versions } = await this.engine.batch(SYSTEM_NAMESPACE, ops)
        return this.remember<S>(id, stored.bytes, versions[0]!)
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error
        if (error.opIndex !== 0) throw new ConflictError('title-taken', 'title taken', error.opIndex)
        if (options.ifVersion !== undefined) throw new ConflictError('namespace-changed', 'namespace changed')
      }
    }
    throw new ConflictError('busy', 'namespace is changing too often; try again')
  }

  /** Deletes a namespace at once; its entries and lists are removed in the background. */
  async delete(id: string): Promise<boolean> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.get(id)
      if (!current) return false
      const ops = [
        { type: 'delete' as const, key: recordKey(id), ifVersion: current.version },
        { type: 'put' as const, key: dropKey(id), value: EMPTY },
        ...(current.title === null
          ? []
          : [{ type: 'delete' as const, key: titleKey(current.dialect, current.owner, current.title) }]),
        ...(current.owner === null
          ? []
          : [{ type: 'delete' as const, key: ownedKey(current.dialect, current.owner, id) }]),
      ]
      try {
        await this.engine.batch(SYSTEM_NAMESPACE, ops)
      } catch (error) {
        if (error instanceof ConflictError) continue
        throw error
      }
      this.parsed.delete(id)
      this.drainDeleted().catch((error) => this.onBackgroundError?.(error))
      return true
    }
    throw new ConflictError('busy', 'namespace is changing too often; try again')
  }

  /** The namespaces of one owner in one dialect, oldest first. */
  async list<S extends object = Record<string, unknown>>(filter: {
    dialect: string
    owner: string
  }): Promise<Array<Namespace<S>>> {
    const ids = await this.ownedIds(filter.dialect, filter.owner)
    const found = await Promise.all(ids.map((id) => this.get<S>(id)))
    return found
      .filter((ns): ns is Namespace<S> => ns !== null)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
  }

  /** The namespace an entry of the system namespace's records holds, parsed once per version. */
  fromRecord(id: string, entry: { key: Uint8Array; value?: Uint8Array; version: number }): Namespace {
    const known = this.parsed.get(id)
    if (known?.namespace.version === entry.version) return known.namespace as Namespace
    return this.remember<Record<string, unknown>>(id, entry.value!, entry.version, entry.key)
  }

  async count(filter: { dialect: string; owner: string }): Promise<number> {
    return this.engine.count(SYSTEM_NAMESPACE, { prefix: ownedPrefix(filter.dialect, filter.owner) })
  }

  /** Removes the data of deleted namespaces, in batches, so a large one never blocks the store. */
  drainDeleted(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = null
    })
    return this.draining
  }

  /** Resolves when no background drain is running. */
  async idle(): Promise<void> {
    await this.draining?.catch(() => {})
  }

  /**
   * Parses a namespace's record as stored (just read, or just written) and keeps it, frozen, as the
   * parsed form of its version. Parsing what was written, rather than keeping the caller's objects,
   * leaves the caller free to change its own settings object afterwards.
   */
  private remember<S extends object>(
    id: string,
    record: Uint8Array,
    version: number,
    key = recordKey(id),
  ): Namespace<S> {
    const namespace = toNamespace<S>(id, JSON.parse(fromUtf8(record)), version)
    deepFreeze(namespace)
    this.parsed.delete(id)
    if (this.parsed.size >= PARSED_NAMESPACES) this.parsed.delete(this.parsed.keys().next().value!)
    this.parsed.set(id, { key, namespace })
    return namespace
  }

  private async drain(): Promise<void> {
    for (;;) {
      const { entries } = await this.engine.scan(SYSTEM_NAMESPACE, { prefix: dropPrefix, limit: 100 })
      if (entries.length === 0) return
      for (const { key } of entries) {
        const id = fromUtf8(key.subarray(dropPrefix.length))
        while (!(await this.engine.backend.dropNamespace(id, DROP_BATCH))) {
          await new Promise((resolve) => setTimeout(resolve, 0))
        }
        await this.engine.delete(SYSTEM_NAMESPACE, key)
      }
    }
  }

  private async ownedIds(dialect: string, owner: string): Promise<string[]> {
    const prefix = ownedPrefix(dialect, owner)
    const ids: string[] = []
    let cursor: Uint8Array | undefined
    do {
      const page = await this.engine.scan(SYSTEM_NAMESPACE, { prefix, cursor, limit: 1000 })
      for (const { key } of page.entries) ids.push(fromUtf8(key.subarray(prefix.length)))
      cursor = page.cursor ?? undefined
    } while (cursor)
    return ids
  }
}

function checkId(id: string): void {
  if (!NAMESPACE_ID.test(id) || id.startsWith('_')) {
    throw new InvalidError(
      'namespace-id',
      'a namespace id is 1 to 64 letters, digits, "-" or "_", not starting with "_"',
    )
  }
}

/** Freezes a parsed record and everything in it, so that no reader can change what the next one gets. */
function deepFreeze(value: object): void {
  Object.freeze(value)
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null && !Object.isFrozen(inner)) deepFreeze(inner)
  }
}

const jsonValue = (value: unknown) => ({ bytes: utf8(JSON.stringify(value)), kind: 'json' as const })

function toNamespace<S extends object>(id: string, record: NamespaceRecord, version: number): Namespace<S> {
  return {
    id,
    dialect: record.dialect,
    owner: record.owner,
    title: record.title,
    settings: record.settings as S,
    createdAt: record.createdAt,
    version,
  }
}
