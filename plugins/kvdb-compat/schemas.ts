// Valibot schemas of what KVdb clients send: bucket and policy forms, token forms, listing
// parameters and transactions. A failed parse is a 400 with the first issue's message (badRequest).

import * as v from 'valibot'
import { TOKEN_PERMISSIONS, type TokenPermission } from './tokens.ts'
import { MAX_TTL_SECONDS } from './values.ts'

const seconds = (message: string) =>
  v.pipe(
    v.string(),
    v.regex(/^[0-9]{1,12}$/, message),
    v.transform(Number),
    v.maxValue(MAX_TTL_SECONDS, message),
  )

const keyField = v.optional(v.string())

/** The policy fields, every one optional; an empty key means "no such key". */
const policyFields = {
  secret_key: keyField,
  write_key: keyField,
  read_key: keyField,
  signing_key: keyField,
  default_ttl: v.optional(seconds('default_ttl must be an integer >= 0')),
}

/** Bucket creation: the policy, and an email that is accepted and unused. */
export const CreateBucketForm = v.object({ email: v.optional(v.string()), ...policyFields })

export const UpdatePolicyForm = v.object(policyFields)

export const TokenForm = v.object({
  prefix: v.optional(v.string(), ''),
  permissions: v.optional(
    v.pipe(
      v.string(),
      v.transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      ),
      v.check(
        (list) => list.every((perm) => (TOKEN_PERMISSIONS as readonly string[]).includes(perm)),
        `permissions are a comma list of ${TOKEN_PERMISSIONS.join(', ')}`,
      ),
      v.transform((list) => (list.length === 0 ? ['read'] : [...new Set(list)]) as TokenPermission[]),
    ),
    'read',
  ),
  ttl: v.optional(v.pipe(seconds('invalid ttl'), v.minValue(1, 'invalid ttl'))),
})

const boolean = v.pipe(
  v.picklist(['true', '1', 'false', '0', ''], 'booleans are true, 1, false, 0 or empty'),
  v.transform((text) => text === 'true' || text === '1'),
)

const count = (name: string) =>
  v.pipe(v.string(), v.regex(/^[0-9]{1,15}$/, `${name} must be an integer >= 0`), v.transform(Number))

export const ListQuery = v.object({
  limit: v.optional(count('limit')),
  skip: v.optional(count('skip')),
  reverse: v.optional(boolean, 'false'),
  values: v.optional(boolean, 'false'),
  format: v.optional(v.string()),
})

const txnKey = v.string('a txn key must be a string')

export const TxnOp = v.union(
  [
    v.strictObject({
      set: txnKey,
      value: v.unknown(),
      ttl: v.optional(
        v.pipe(
          v.number('invalid ttl'),
          v.integer('invalid ttl'),
          v.minValue(0, 'invalid ttl'),
          v.maxValue(MAX_TTL_SECONDS, 'invalid ttl'),
        ),
      ),
    }),
    v.strictObject({ delete: txnKey }),
  ],
  'each txn op is {"set": key, "value": any, "ttl"?: seconds} or {"delete": key}',
)

export const TxnBody = v.object(
  { txn: v.array(v.unknown(), 'txn must be an array') },
  'body must be {"txn": [...]}',
)
