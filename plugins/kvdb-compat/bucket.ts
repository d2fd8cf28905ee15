// Buckets are engine namespaces of the kvdb dialect. Their settings hold the bucket policy:
// salted hashes of the secret, read and write keys, the signing key (it keys the token HMAC, so
// it is kept as given) and default_ttl. Other features (scripts) add fields of their own; every
// update here keeps fields it does not know.

import { hashSecret, newSecret, verifySecret } from '../../core/auth/secrets.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Namespace } from '../../core/engine/namespaces.ts'
import { kvdbError, messages } from './errors.ts'

export const DIALECT = 'kvdb'

export type KeyRole = 'secret' | 'write' | 'read'

export interface BucketSettings {
  /** Salt of this bucket's key hashes. */
  salt: string
  secretKey: string | null
  writeKey: string | null
  readKey: string | null
  signingKey: string | null
  /** Seconds; 0 = keys never expire. */
  defaultTtl: number
  [extension: string]: unknown
}

export type Bucket = Namespace<BucketSettings>

/** Key fields as the forms name them, with the role each grants. */
export const KEY_FIELDS = [
  ['secret_key', 'secretKey', 'secret'],
  ['write_key', 'writeKey', 'write'],
  ['read_key', 'readKey', 'read'],
] as const

export interface PolicyInput {
  secret_key?: string
  write_key?: string
  read_key?: string
  signing_key?: string
  default_ttl?: number
}

export async function createBucket(engine: Engine, input: PolicyInput, defaultTtl: number): Promise<Bucket> {
  const settings = newBucketSettings(
    (field) => input[field],
    input.signing_key || null,
    input.default_ttl ?? defaultTtl,
  )
  return engine.namespaces.create<BucketSettings>({ dialect: DIALECT, settings })
}

/**
 * A new bucket's settings under a fresh salt: each key field given (non-empty) is stored hashed,
 * the others are absent. Shared by bucket creation and `kvgate migrate --from kvdb`.
 */
export function newBucketSettings(
  given: (field: (typeof KEY_FIELDS)[number][0]) => string | undefined,
  signingKey: string | null,
  defaultTtl: number,
): BucketSettings {
  const salt = newSecret(16)
  const settings: BucketSettings = {
    salt,
    secretKey: null,
    writeKey: null,
    readKey: null,
    signingKey,
    defaultTtl,
  }
  for (const [field, name] of KEY_FIELDS) {
    const key = given(field)
    settings[name] = key ? hashSecret(key, salt) : null
  }
  return settings
}

/** The bucket, or 404 when there is none (or the id belongs to another dialect's namespace). */
export async function loadBucket(engine: Engine, id: string): Promise<Bucket> {
  const bucket = await engine.namespaces.get<BucketSettings>(id)
  if (!bucket || bucket.dialect !== DIALECT) throw kvdbError(404, messages.bucketNotFound)
  return bucket
}

/**
 * Applies a policy change: a given key replaces the old one, an empty one removes it (except the
 * secret key, which can be changed but never removed or added after creation).
 */
export async function updatePolicy(engine: Engine, bucket: Bucket, input: PolicyInput): Promise<void> {
  if (input.secret_key === '') throw kvdbError(400, 'secret_key cannot be removed')
  await engine.namespaces.update<BucketSettings>(bucket.id, (current) => {
    const settings = { ...current.settings }
    if (input.secret_key !== undefined && !settings.secretKey) {
      throw kvdbError(400, 'secret_key cannot be added after creation')
    }
    for (const [field, name] of KEY_FIELDS) {
      const given = input[field]
      if (given !== undefined) settings[name] = given ? hashSecret(given, settings.salt) : null
    }
    if (input.signing_key !== undefined) settings.signingKey = input.signing_key || null
    if (input.default_ttl !== undefined) settings.defaultTtl = input.default_ttl
    return { settings }
  })
}

/** The strongest role a presented key holds in this bucket, or null. */
export function roleOf(bucket: Bucket, key: string): KeyRole | null {
  const { settings } = bucket
  for (const [, name, role] of KEY_FIELDS) {
    const hash = settings[name]
    if (hash && verifySecret(key, hash, settings.salt)) return role
  }
  return null
}
