// What the admin data routes take, checked with valibot at the edge: query parameters (text, as
// sent) and the body of an entry write.

import * as v from 'valibot'
import { VALUE_KINDS } from '../engine/types.ts'
import { KEY_PAGE_MAX, NAMESPACE_PAGE_MAX } from './data.ts'

const limitOf = (max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,7}$/, 'limit must be a whole number'),
      v.transform(Number),
      v.minValue(1, `limit must be from 1 to ${max}`),
      v.maxValue(max, `limit must be from 1 to ${max}`),
    ),
    '100',
  )

const name = (what: string) => v.optional(v.pipe(v.string(), v.maxLength(200, `${what} is too long`)))

export const NamespacesQuery = v.object({
  dialect: name('dialect'),
  account: name('account'),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'cursor is not a namespace id'))),
  limit: limitOf(NAMESPACE_PAGE_MAX),
})

export const KeysQuery = v.object({
  cursor: v.optional(v.pipe(v.string(), v.maxLength(8192, 'cursor is too long'))),
  limit: limitOf(KEY_PAGE_MAX),
})

/** Seconds; the console and `kvgate data put --ttl` send whole seconds. */
const Ttl = v.pipe(
  v.number('ttl must be a number of seconds'),
  v.integer('ttl must be a whole number of seconds'),
  v.minValue(1, 'ttl must be at least 1 second'),
  v.maxValue(10 * 365 * 86_400, 'ttl must be at most ten years'),
)

/** An absolute expiry: ISO 8601 text, or seconds since the epoch. */
const ExpiresAt = v.union(
  [
    v.pipe(
      v.string(),
      v.isoTimestamp('expires_at must be an ISO 8601 time'),
      v.transform((text) => Date.parse(text)),
    ),
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.transform((seconds) => seconds * 1000),
    ),
  ],
  'expires_at must be an ISO 8601 time or seconds since the epoch',
)

export const EntryBody = v.pipe(
  v.object(
    {
      value: v.string('"value" must be a string'),
      encoding: v.optional(
        v.picklist(['text', 'json', 'base64'], '"encoding" must be text, json or base64'),
        'text',
      ),
      kind: v.optional(v.picklist(VALUE_KINDS, `"kind" must be one of ${VALUE_KINDS.join(', ')}`)),
      metadata: v.optional(v.unknown()),
      ttl: v.optional(Ttl),
      expires_at: v.optional(v.nullable(ExpiresAt)),
    },
    'the body must be a JSON object with a "value"',
  ),
  v.check((body) => body.ttl === undefined || body.expires_at == null, 'give ttl or expires_at, not both'),
)
