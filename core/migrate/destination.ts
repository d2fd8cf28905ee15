// The kvgate side of a migration, shared by the source modules: the account that receives the data
// (an existing one, or one made with --create-account) and the namespace, found or created with the
// id the hosted service gave it, so that clients keep their ids and only change the base URL.

import { createHash } from 'node:crypto'
import type { Engine } from '../engine/engine.ts'
import { SourceError } from './http.ts'
import type { Destination, DestinationContext } from './source.ts'

export async function accountFor(
  context: DestinationContext,
  dialect: string,
  name: string,
): Promise<Pick<Destination, 'accountId' | 'created'>> {
  if (context.resumed) return { accountId: context.resumed.accountId, created: null }
  if (context.createAccount) {
    const created = await context.accounts.create(dialect, context.accountName ?? name)
    return { accountId: created.account_id, created }
  }
  if (!context.accountId) {
    throw new SourceError(`give --account ID (a kvgate ${dialect} account) or --create-account`)
  }
  const account = await context.accounts.get(context.accountId)
  if (!account || account.dialect !== dialect) {
    throw new SourceError(`kvgate has no ${dialect} account ${context.accountId}`)
  }
  return { accountId: context.accountId, created: null }
}

/** Finds the namespace `id` (it must be this dialect's and owner's) or creates it. */
export async function ensureNamespace(
  engine: Engine,
  input: { dialect: string; id: string; owner: string | null; title?: string | null; settings: object },
): Promise<void> {
  const existing = await engine.namespaces.get(input.id)
  if (existing) {
    if (existing.dialect !== input.dialect || existing.owner !== input.owner) {
      throw new SourceError(
        `kvgate already has a container ${input.id} that is not this ${input.dialect} account's: delete it, or migrate into another kvgate`,
      )
    }
    return
  }
  await engine.namespaces.create(input)
}

/** A short, stable name for a credential, so that a checkpoint tells two accounts apart without holding a secret. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12)
}

/** An option's text, or a SourceError naming the flag when it is missing. */
export function required(options: Record<string, string | boolean | undefined>, flag: string): string {
  const value = options[flag]
  if (typeof value !== 'string' || value === '') throw new SourceError(`--from needs --${flag}`)
  return value
}
