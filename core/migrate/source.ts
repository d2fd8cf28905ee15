// What `kvgate migrate` needs of each hosted service: how to list its keys page by page, how to read
// one, and which kvgate container of the same dialect receives them. One module per dialect
// (workers-kv.ts, kvdb.ts, ...) implements it with that service's public HTTP API only.

import type { Accounts, IssuedCredentials } from '../auth/accounts.ts'
import type { Engine } from '../engine/engine.ts'
import type { ValueInput } from '../engine/types.ts'
import type { SourceHttp } from './http.ts'

/** One key as a listing names it, with whatever the listing tells of it. */
export interface ListedKey {
  key: Uint8Array
  /** Absolute ms, when the listing shows it. */
  expiresAt?: number | null
  /** Metadata JSON text, when the listing shows it. */
  metadata?: string | null
  /** LightKV: an item or a list (its own keyspace). */
  space?: 'item' | 'list'
}

export interface Page {
  keys: ListedKey[]
  /** Where the next page starts (saved in the checkpoint once this page is copied); null: this was the last. */
  next: string | null
}

/** One entry to write, or a LightKV list. */
export type Migrated =
  | { type: 'entry'; key: Uint8Array; value: ValueInput; expiresAt: number | null }
  | { type: 'list'; key: Uint8Array; elements: string[] }

export interface Destination {
  /** The engine namespace that receives the keys. */
  namespace: string
  /** The account that owns it, when the dialect has accounts. */
  accountId: string | null
  /** Credentials made by --create-account, printed once. */
  created: IssuedCredentials | null
}

export interface DestinationContext {
  engine: Engine
  accounts: Accounts
  /** --account ID: an existing kvgate account; null with --create-account. */
  accountId: string | null
  createAccount: boolean
  /** --account-name: the new account's name, instead of the source module's. */
  accountName: string | null
  /** A destination recorded by an interrupted run: reuse it, create nothing. */
  resumed: { namespace: string; accountId: string | null } | null
}

export interface Source {
  /** What the checkpoint and the messages call the container (bucket id, namespace id, app...). */
  container: string
  /** How many keys there are, when the service says (for the ETA). */
  total(): Promise<number | null>
  /** The page that starts at `cursor` (null: the first). */
  page(cursor: string | null): Promise<Page>
  /** Reads one listed key; null when it vanished meanwhile. */
  read(listed: ListedKey): Promise<Migrated | null>
  /** Finds or makes the kvgate container. */
  destination(context: DestinationContext): Promise<Destination>
}

/** The command-line options a source module reads (each reads its own). */
export type SourceOptions = Record<string, string | boolean | undefined>

export interface SourceModule {
  dialect: string
  /** The hosted service's own base URL. */
  defaultBaseUrl: string
  /** Flags this source takes, for the usage text: name -> what it is. */
  flags: Record<string, string>
  open(options: SourceOptions, http: (headers: Record<string, string>) => SourceHttp): Source
}
