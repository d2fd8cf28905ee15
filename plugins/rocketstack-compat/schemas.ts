// Valibot schemas of what clients send: the optional fields of a PUT body, and the list query.

import * as v from 'valibot'

/** The fields of a PUT body besides "value"; null counts as absent, other unknown fields are ignored. */
export function putFieldsSchema(maxTtlSeconds: number) {
  const ttl = `ttlSeconds must be an integer from 1 to ${maxTtlSeconds}`
  return v.object({
    ttlSeconds: v.nullish(
      v.pipe(v.number(ttl), v.integer(ttl), v.minValue(1, ttl), v.maxValue(maxTtlSeconds, ttl)),
    ),
    ifNotExists: v.nullish(v.boolean('ifNotExists must be true or false')),
    ifVersion: v.nullish(
      v.union(
        [v.pipe(v.string(), v.nonEmpty()), v.pipe(v.number(), v.finite())],
        'ifVersion must be a version string',
      ),
    ),
  })
}

export type PutFields = v.InferOutput<ReturnType<typeof putFieldsSchema>>

const LIMIT = 'limit must be an integer from 1 to 1000'

/** Query of GET /kv/items; empty parameters count as absent. */
export const ListQuery = v.object({
  prefix: v.optional(v.string()),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[0-9]{1,4}$/, LIMIT),
      v.transform(Number),
      v.minValue(1, LIMIT),
      v.maxValue(1000, LIMIT),
    ),
    '100',
  ),
  /** Read by core/http/cursor.ts, which refuses what it could not have handed out. */
  cursor: v.optional(v.string()),
})
