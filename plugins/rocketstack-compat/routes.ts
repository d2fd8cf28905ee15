// RocketStack's routes: PUT, GET and DELETE of /kv/items/{key}, and the list GET /kv/items.
// They translate HTTP <-> Engine and nothing more; the engine keeps every write atomic.

import * as v from 'valibot'
import type { DialectContext } from '../../core/dialect.ts'
import { dialectRoutes } from '../../core/dialect.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { ConflictError } from '../../core/engine/errors.ts'
import { readStrictBodyText } from '../../core/http/body.ts'
import { rawPath } from '../../core/http/path.ts'
import type { Mount } from '../../core/routes.ts'
import { authenticate } from './auth.ts'
import { type Condition, ifMatch, putCondition } from './conditions.ts'
import { badRequest, conflict, RocketStackError, renderError, tooLarge } from './errors.ts'
import {
  dataResponse,
  decodeCursor,
  encodeCursor,
  etag,
  type ItemKey,
  isoTime,
  itemJson,
  itemKey,
} from './item.ts'
import { parseItemBody } from './json-text.ts'
import { maxBodyBytes, type RocketStackOptions } from './options.ts'
import { ListQuery, putFieldsSchema } from './schemas.ts'

const ITEMS = '/kv/items'

export function rocketstackRoutes(context: DialectContext<RocketStackOptions>, mount: Mount) {
  const { engine, auth, rateLimit, options } = context
  const putFields = putFieldsSchema(options.maxTtlSeconds)
  const account = (request: Request) => authenticate(request, auth, rateLimit, options)
  // The engine's hard maximum wins should the operator set it below the dialect's own limit.
  const maxKeyBytes = Math.min(options.maxKeyBytes, engine.limits.maxKeyBytes)
  const keyOf = (request: Request) => itemKey(request.url, `${mount.prefix}${ITEMS}/`, maxKeyBytes)

  const failed = (key: ItemKey, condition: Condition) =>
    conflict(
      condition.kind === 'absent'
        ? `Key '${key.text}' already exists`
        : condition.kind === 'exists'
          ? `Key '${key.text}' does not exist`
          : `Version mismatch for key '${key.text}'`,
    )

  async function put(request: Request): Promise<Response> {
    const ns = await account(request)
    const key = keyOf(request)
    const body = await readStrictBodyText(request, maxBodyBytes(options))
    if (body === null) throw badRequest('Request body is not valid UTF-8')
    const { fields, valueText } = parseItemBody(body)
    const checked = v.safeParse(putFields, fields)
    if (!checked.success) throw badRequest(checked.issues[0].message)
    const condition = putCondition(checked.output, request.headers)
    const bytes = utf8(valueText)
    if (bytes.length > options.maxValueBytes) {
      throw tooLarge(`Value is larger than ${options.maxValueBytes} bytes`)
    }
    const { ttlSeconds } = checked.output
    // An absolute expiry, so that the batch below (which reports no expiry) answers the same one.
    const expiresAt = ttlSeconds ? engine.clock.now() + ttlSeconds * 1000 : null
    const value = { bytes, kind: 'json' as const, contentType: 'application/json' }
    let version: number
    try {
      if (condition.kind === 'version' && condition.version === null) throw new ConflictError()
      if (condition.kind === 'exists') {
        const { versions } = await engine.batch(ns, [
          { type: 'check', key: key.bytes, exists: true },
          { type: 'put', key: key.bytes, value, expiresAt },
        ])
        version = versions[1]!
      } else {
        ;({ version } = await engine.put(ns, key.bytes, value, {
          expiresAt,
          ifAbsent: condition.kind === 'absent' || undefined,
          ifVersion: condition.kind === 'version' ? condition.version! : undefined,
          maxKeys: options.maxKeys,
        }))
      }
    } catch (error) {
      if (error instanceof ConflictError) throw failed(key, condition)
      throw error
    }
    return dataResponse(itemJson(key.text, valueText, version, expiresAt), { etag: etag(version) })
  }

  async function get(request: Request): Promise<Response> {
    const ns = await account(request)
    const key = keyOf(request)
    const entry = await engine.get(ns, key.bytes)
    if (!entry) throw new RocketStackError(404, 'NOT_FOUND', `Key '${key.text}' not found`)
    return dataResponse(itemJson(key.text, fromUtf8(entry.value), entry.version, entry.expiresAt), {
      etag: etag(entry.version),
    })
  }

  async function remove(request: Request): Promise<Response> {
    const ns = await account(request)
    const key = keyOf(request)
    const condition = ifMatch(request.headers) ?? { kind: 'none' }
    try {
      if (condition.kind === 'version' && condition.version === null) throw new ConflictError()
      if (condition.kind === 'exists') {
        await engine.batch(ns, [
          { type: 'check', key: key.bytes, exists: true },
          { type: 'delete', key: key.bytes },
        ])
      } else {
        await engine.delete(ns, key.bytes, {
          ifVersion: condition.kind === 'version' ? condition.version! : undefined,
        })
      }
    } catch (error) {
      if (error instanceof ConflictError) throw failed(key, condition)
      throw error
    }
    return dataResponse(`{"key":${JSON.stringify(key.text)},"deleted":true}`)
  }

  async function list(request: Request): Promise<Response> {
    const ns = await account(request)
    const params = Object.fromEntries(
      [...new URL(request.url).searchParams].filter(([name, value]) => name in ListQuery.entries && value),
    )
    const checked = v.safeParse(ListQuery, params)
    if (!checked.success) throw badRequest(checked.issues[0].message)
    const { prefix, limit, cursor } = checked.output
    const page = await engine.scan(ns, {
      prefix: prefix ? utf8(prefix) : undefined,
      cursor: cursor ? decodeCursor(cursor, maxKeyBytes) : undefined,
      limit,
    })
    const items = page.entries.map((entry) => ({
      key: fromUtf8(entry.key),
      version: String(entry.version),
      expiresAt: isoTime(entry.expiresAt),
    }))
    return Response.json({ data: { items, cursor: page.cursor ? encodeCursor(page.cursor) : null } })
  }

  const notAllowed =
    (allow: string) =>
    async ({ request }: { request: Request }) => {
      // PUT or DELETE of /kv/items or /kv/items/ names an empty key, which is bad input, not a bad method.
      if (allow === 'GET' && (request.method === 'PUT' || request.method === 'DELETE')) {
        await account(request)
        throw badRequest('Key must not be empty')
      }
      throw new RocketStackError(405, 'METHOD_NOT_ALLOWED', `Method not allowed; use ${allow}`, { allow })
    }
  const listPath = `${mount.prefix}${ITEMS}/`
  const isList = (request: Request) => rawPath(request.url) === listPath

  return dialectRoutes({ name: 'rocketstack', renderError }, mount)
    .get(ITEMS, ({ request }) => list(request))
    .get(`${ITEMS}/*`, ({ request }) => (isList(request) ? list(request) : get(request)))
    .put(`${ITEMS}/*`, ({ request }) => put(request), { parse: 'none' })
    .delete(`${ITEMS}/*`, ({ request }) => remove(request), { parse: 'none' })
    .all(ITEMS, notAllowed('GET'), { parse: 'none' })
    .all(`${ITEMS}/*`, notAllowed('GET, PUT, DELETE'), { parse: 'none' })
}
