// Valibot schemas of the JSON bodies: namespace create and rename, bulk write, delete and get.

import * as v from 'valibot'
import { utf8 } from '../../core/engine/bytes.ts'
import { parseWith } from '../../core/http/validate.ts'
import { invalid } from './errors.ts'

const title = v.pipe(
  v.string('"title" must be a string'),
  v.check((text) => text.trim().length > 0, '"title" must not be empty'),
  v.check((text) => utf8(text).length <= 512, '"title" must be at most 512 bytes'),
  v.check((text) => !text.includes('\u0000'), '"title" must not contain NUL'),
)

export const CreateNamespace = v.object(
  {
    title,
    jurisdiction: v.optional(v.picklist(['eu', 'fedramp'], '"jurisdiction" must be "eu" or "fedramp"')),
  },
  'The body must be a JSON object with a "title"',
)

export const RenameNamespace = v.object({ title }, 'The body must be a JSON object with a "title"')

const expiry = v.nullish(v.union([v.number(), v.string()], 'expiry must be a number'))

export const BulkWriteItem = v.object(
  {
    key: v.string('"key" must be a string'),
    value: v.string('"value" must be a string'),
    base64: v.optional(v.boolean('"base64" must be true or false')),
    expiration: expiry,
    expiration_ttl: expiry,
    metadata: v.optional(v.unknown()),
  },
  'each item must be an object with "key" and "value"',
)

export const KeyList = v.array(
  v.string('every key must be a string'),
  'The body must be a JSON array of keys',
)

export const BulkGet = v.object(
  {
    keys: v.array(v.string('every key must be a string'), '"keys" must be an array of strings'),
    type: v.optional(v.unknown()),
    withMetadata: v.optional(v.boolean('"withMetadata" must be true or false')),
  },
  'The body must be a JSON object with "keys"',
)

/** The parsed input, or 400 10001 naming the first problem (and the member it is in). */
export const parse = <T>(schema: v.GenericSchema<unknown, T>, input: unknown): T =>
  parseWith(schema, input, (message) => invalid(message), { withPath: true })
