// Operator-issued accounts and their credentials (CloudKV api keys, Workers KV API tokens, LightKV
// app tokens, RocketStack API keys), stored through the engine so that every kvgate process on one
// store sees the same ones, and a rotation takes effect everywhere at once.
//
// A credential is "kvg_" + a 12-character id + a 32-character secret. Only a hash of the secret is
// stored; the id finds the record, and the secret is compared in constant time.

import { fromUtf8, utf8 } from '../engine/bytes.ts'
import type { Engine } from '../engine/engine.ts'
import { ConflictError, InvalidError, NotFoundError } from '../engine/errors.ts'
import type { Entry } from '../engine/types.ts'
import { BASE62, HEX, randomString } from '../ids.ts'
import { hashSecret, newSecret, verifySecret } from './secrets.ts'

/** What a dialect's accounts look like: which credentials they get, and whether each is one namespace. */
export interface AccountKind {
  /** Each credential an account holds: its name in the operator's JSON -> the role it grants. */
  credentials: Record<string, string>
  /** The account is itself one namespace with the account's id (a LightKV app, a RocketStack account). */
  namespacePerAccount?: boolean
}

export interface AccountSummary {
  account_id: string
  dialect: string
  name: string | null
  created_at: string
}

export interface IssuedCredentials {
  account_id: string
  dialect: string
  credentials: Record<string, string>
}

/** Who a verified credential belongs to, and what it may do. Read-only: verify hands out one frozen object per credential version. */
export interface Principal {
  accountId: string
  dialect: string
  role: string
  /** Identifies the credential (not secret), for answers such as Workers KV's tokens/verify. */
  credentialId: string
}

/** An account as stored (export and import read and write these records as they are). */
export interface AccountRecord {
  dialect: string
  name: string | null
  createdAt: number
  /** Credential name -> credential id. */
  credentials: Record<string, string>
}

export interface CredentialRecord {
  accountId: string
  dialect: string
  role: string
  hash: string
}

export const ACCOUNTS_NAMESPACE = '_accounts'
const TOKEN_PREFIX = 'kvg_'
const ID_LENGTH = 12
const SECRET_LENGTH = 32
const ACCOUNT_ID = /^[0-9a-f]{32}$/
/** How many verified tokens are remembered (oldest forgotten first). */
const VERIFIED_TOKENS = 10_000

export const accountKey = (id: string) => utf8(`account\u0000${id}`)
export const accountPrefix = utf8('account\u0000')
export const credentialKey = (id: string) => utf8(`credential\u0000${id}`)
const json = (value: unknown) => ({ bytes: utf8(JSON.stringify(value)), kind: 'json' as const })

interface VerifiedToken {
  /** The credential record's key, kept so that a known token is looked up without encoding it again. */
  key: Uint8Array
  /** The version of the credential record it matched, and whose credential it is. */
  version: number
  principal: Principal
}

export class Accounts {
  /** Tokens that passed the full check, with the version of the credential record they matched. */
  private readonly verified = new Map<string, VerifiedToken>()

  constructor(
    private readonly engine: Engine,
    private readonly kinds: ReadonlyMap<string, AccountKind>,
  ) {}

  /** Dialects that take operator-issued accounts. */
  get dialects(): string[] {
    return [...this.kinds.keys()]
  }

  async create(dialect: string, name: string | null = null): Promise<IssuedCredentials> {
    const kind = this.kindOf(dialect)
    const id = randomString(HEX, 32)
    const issued = Object.keys(kind.credentials).map((field) => this.issue(id, dialect, field, kind))
    const record: AccountRecord = {
      dialect,
      name,
      createdAt: this.engine.clock.now(),
      credentials: Object.fromEntries(issued.map((credential) => [credential.field, credential.id])),
    }
    if (kind.namespacePerAccount) await this.engine.namespaces.create({ dialect, id, owner: id, title: name })
    await this.engine.batch(ACCOUNTS_NAMESPACE, [
      { type: 'put', key: accountKey(id), value: json(record), ifAbsent: true },
      ...issued.map((credential) => credential.op),
    ])
    return {
      account_id: id,
      dialect,
      credentials: Object.fromEntries(issued.map((credential) => [credential.field, credential.token])),
    }
  }

  async list(): Promise<AccountSummary[]> {
    const accounts: AccountSummary[] = []
    let cursor: Uint8Array | undefined
    do {
      const page = await this.engine.scan(ACCOUNTS_NAMESPACE, {
        prefix: accountPrefix,
        cursor,
        limit: 1000,
        withValues: true,
      })
      for (const entry of page.entries) {
        const record = JSON.parse(fromUtf8(entry.value!)) as AccountRecord
        accounts.push({
          account_id: fromUtf8(entry.key.subarray(accountPrefix.length)),
          dialect: record.dialect,
          name: record.name,
          created_at: new Date(record.createdAt).toISOString(),
        })
      }
      cursor = page.cursor ?? undefined
    } while (cursor)
    return accounts.sort(
      (a, b) => a.created_at.localeCompare(b.created_at) || a.account_id.localeCompare(b.account_id),
    )
  }

  async get(id: string): Promise<AccountSummary | null> {
    const found = await this.record(id)
    if (!found) return null
    return {
      account_id: id,
      dialect: found.record.dialect,
      name: found.record.name,
      created_at: new Date(found.record.createdAt).toISOString(),
    }
  }

  /**
   * Replaces credentials: those granting the role named by `which`, or all of them ("both" or none).
   * The old ones stop working at once, in every process.
   */
  async rotate(id: string, which?: string): Promise<IssuedCredentials> {
    for (;;) {
      const found = await this.record(id)
      if (!found) throw new NotFoundError('account', 'account not found')
      const { record, version } = found
      const kind = this.kindOf(record.dialect)
      const fields = Object.keys(record.credentials).filter(
        (field) => which === undefined || which === 'both' || kind.credentials[field] === which,
      )
      if (fields.length === 0) {
        const roles = [...new Set(Object.values(kind.credentials))]
        throw new InvalidError('role', `"which" must be one of: ${[...roles, 'both'].join(', ')}`)
      }
      const issued = fields.map((field) => this.issue(id, record.dialect, field, kind))
      const credentials = { ...record.credentials }
      for (const credential of issued) credentials[credential.field] = credential.id
      try {
        await this.engine.batch(ACCOUNTS_NAMESPACE, [
          { type: 'put', key: accountKey(id), value: json({ ...record, credentials }), ifVersion: version },
          ...issued.map((credential) => credential.op),
          ...fields.map((field) => ({
            type: 'delete' as const,
            key: credentialKey(record.credentials[field]!),
          })),
        ])
      } catch (error) {
        if (error instanceof ConflictError) continue // rotated concurrently: rotate the new state
        throw error
      }
      return {
        account_id: id,
        dialect: record.dialect,
        credentials: Object.fromEntries(issued.map((credential) => [credential.field, credential.token])),
      }
    }
  }

  /** Deletes an account, its credentials and every namespace it owns. */
  async delete(id: string): Promise<boolean> {
    const found = await this.record(id)
    if (!found) return false
    const { record } = found
    await this.engine.batch(ACCOUNTS_NAMESPACE, [
      { type: 'delete', key: accountKey(id) },
      ...Object.values(record.credentials).map((credential) => ({
        type: 'delete' as const,
        key: credentialKey(credential),
      })),
    ])
    for (const ns of await this.engine.namespaces.list({ dialect: record.dialect, owner: id })) {
      await this.engine.namespaces.delete(ns.id)
    }
    return true
  }

  /** The principal of a credential of this dialect, or null for anything else. */
  async verify(token: string, dialect: string): Promise<Principal | null> {
    // The record is read every time (a rotation or deletion must count at once, in every process);
    // only the hashing and parsing are skipped for a token already checked against this version.
    const known = this.verified.get(token)
    if (known) {
      const entry = await this.engine.get(ACCOUNTS_NAMESPACE, known.key)
      if (!entry) return null
      if (entry.version === known.version) return known.principal.dialect === dialect ? known.principal : null
      return this.check(token, known.key, entry, dialect)
    }
    if (token.length !== TOKEN_PREFIX.length + ID_LENGTH + SECRET_LENGTH || !token.startsWith(TOKEN_PREFIX)) {
      return null
    }
    const credentialId = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + ID_LENGTH)
    if (!/^[0-9A-Za-z]+$/.test(credentialId)) return null
    const key = credentialKey(credentialId)
    const entry = await this.engine.get(ACCOUNTS_NAMESPACE, key)
    return entry ? this.check(token, key, entry, dialect) : null
  }

  /** The full check of a token against its credential record, remembered for the record's version. */
  private check(token: string, key: Uint8Array, entry: Entry, dialect: string): Principal | null {
    const credentialId = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + ID_LENGTH)
    const record = JSON.parse(fromUtf8(entry.value)) as CredentialRecord
    if (!verifySecret(token.slice(TOKEN_PREFIX.length + ID_LENGTH), record.hash, credentialId)) {
      // A wrong secret is not remembered: only tokens that passed are, so guessing fills no memory.
      this.verified.delete(token)
      return null
    }
    const principal: Principal = Object.freeze({
      accountId: record.accountId,
      dialect: record.dialect,
      role: record.role,
      credentialId,
    })
    this.verified.delete(token)
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(token, { key, version: entry.version, principal })
    return record.dialect === dialect ? principal : null
  }

  private kindOf(dialect: string): AccountKind {
    const kind = this.kinds.get(dialect)
    if (!kind) throw new InvalidError('dialect', `"dialect" must be one of: ${this.dialects.join(', ')}`)
    return kind
  }

  private async record(id: string): Promise<{ record: AccountRecord; version: number } | null> {
    if (!ACCOUNT_ID.test(id)) return null
    const entry = await this.engine.get(ACCOUNTS_NAMESPACE, accountKey(id))
    return entry ? { record: JSON.parse(fromUtf8(entry.value)), version: entry.version } : null
  }

  private issue(accountId: string, dialect: string, field: string, kind: AccountKind) {
    const id = randomString(BASE62, ID_LENGTH)
    const secret = newSecret(SECRET_LENGTH)
    const record: CredentialRecord = {
      accountId,
      dialect,
      role: kind.credentials[field]!,
      hash: hashSecret(secret, id),
    }
    return {
      field,
      id,
      token: `${TOKEN_PREFIX}${id}${secret}`,
      op: { type: 'put' as const, key: credentialKey(id), value: json(record), ifAbsent: true },
    }
  }
}
