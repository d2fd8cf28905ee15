// RocketStack's routes: PUT, GET and DELETE of /kv/items/{key}, and the list GET /kv/items.
// They translate HTTP <-> Engine and nothing more; the engine keeps every write atomic, and a failed
// condition answers through the error table (errors.ts).

import type { DialectContext } from '../../core/dialect.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import type { ValueInput } from '../../core/engine/types.ts'
import { readStrictBodyText } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts'
import type { DialectRouter } from '../../core/http/router.ts'
import { parseWith } from '../../core/http/validate.ts'
import { watchResponse } from '../../core/watch/index.ts'
import { authenticate } from './auth.ts'
import { type Condition, ifMatch, putCondition } from './conditions.ts'
import { badRequest, RocketStackError, tooLarge, versionMismatch } from './errors.ts'
import { dataResponse, etag, type ItemKey, isoTime, itemJson, itemKey } from './item.ts'
import { parseItemBody } from './json-text.ts'
import { maxBodyBytes, type RocketStackOptions } from './options.ts'
import { ListQuery, putFieldsSchema } from './schemas.ts'

const ITEMS = '/kv/items'

export function rocketstackRoutes(router: DialectRouter, context: DialectContext<RocketStackOptions>): void {
  const { engine, auth, rateLimit, options } = context
  const putFields = putFieldsSchema(options.maxTtlSeconds)
  const bodyLimit = maxBodyBytes(options)
  // The engine's hard maximum wins should the operator set it below the dialect's own limit.
  const maxKeyBytes = Math.min(options.maxKeyBytes, engine.limits.maxKeyBytes)
  const account = (request: Request) => authenticate(request, auth, rateLimit, options)

  /** The engine's ifVersion for a condition; a version text no entry can have is a mismatch at once. */
  function ifVersionOf(condition: Condition, key: ItemKey): number | undefined {
    if (condition.kind !== 'version') return undefined
    if (condition.version === null) throw new RocketStackError(409, 'CONFLICT', versionMismatch(key.text))
    return condition.version
  }

  /** Writes a value under a PUT's condition; answers the new version. */
  async function write(
    ns: string,
    key: ItemKey,
    value: ValueInput,
    expiresAt: number | null,
    condition: Condition,
  ): Promise<number> {
    const { version } = await engine.put(ns, key.bytes, value, {
      expiresAt,
      ifAbsent: condition.kind === 'absent' || undefined,
      ifExists: condition.kind === 'exists' || undefined,
      ifVersion: ifVersionOf(condition, key),
      maxKeys: options.maxKeys,
    })
    return version
  }

  async function put(call: Call): Promise<Response> {
    const { request } = call
    const ns = await account(request)
    const key = itemKey(call.key, maxKeyBytes)
    const body = await readStrictBodyText(request, bodyLimit)
    if (body === null) throw badRequest('Request body is not valid UTF-8')
    const { fields, valueText } = parseItemBody(body)
    const checked = parseWith(putFields, fields, badRequest)
    const condition = putCondition(checked, request.headers)
    const bytes = utf8(valueText)
    if (bytes.length > options.maxValueBytes) {
      throw tooLarge(`Value is larger than ${options.maxValueBytes} bytes`)
    }
    const { ttlSeconds } = checked
    const expiresAt = ttlSeconds ? engine.clock.now() + ttlSeconds * 1000 : null
    const value = { bytes, kind: 'json' as const, contentType: 'application/json' }
    const version = await write(ns, key, value, expiresAt, condition)
    return dataResponse(itemJson(key.text, valueText, version, expiresAt), { etag: etag(version) })
  }

  async function get(call: Call): Promise<Response> {
    const ns = await account(call.request)
    const key = itemKey(call.key, maxKeyBytes)
    const entry = await engine.get(ns, key.bytes)
    if (!entry) throw new RocketStackError(404, 'NOT_FOUND', `Key '${key.text}' not found`)
    return dataResponse(itemJson(key.text, fromUtf8(entry.value), entry.version, entry.expiresAt), {
      etag: etag(entry.version),
    })
  }

  async function remove(call: Call): Promise<Response> {
    const { request } = call
    const ns = await account(request)
    const key = itemKey(call.key, maxKeyBytes)
    const condition = ifMatch(request.headers)
    await engine.delete(ns, key.bytes, {
      ifExists: condition?.kind === 'exists' || undefined,
      ifVersion: condition ? ifVersionOf(condition, key) : undefined,
    })
    return dataResponse(`{"key":${JSON.stringify(key.text)},"deleted":true}`)
  }

  async function list(call: Call): Promise<Response> {
    const ns = await account(call.request)
    const params: Record<string, string> = {}
    for (const [name, value] of call.query) {
      // Empty parameters count as absent; the last of repeated ones wins.
      if (value && Object.hasOwn(ListQuery.entries, name)) params[name] = value
    }
    const { prefix, limit, cursor } = parseWith(ListQuery, params, badRequest)
    const after = cursor ? decodeCursor(cursor, maxKeyBytes) : undefined
    if (after === null) throw badRequest('cursor is not valid')
    const page = await engine.scan(ns, { prefix: prefix ? utf8(prefix) : undefined, cursor: after, limit })
    const items = page.entries.map((entry) => ({
      key: fromUtf8(entry.key),
      version: String(entry.version),
      expiresAt: isoTime(entry.expiresAt),
    }))
    return Response.json({ data: { items, cursor: page.cursor ? encodeCursor(page.cursor) : null } })
  }

  /** PUT or DELETE naming no key: bad input (after authentication, as for any other key). */
  async function emptyKey(call: Call): Promise<Response> {
    await account(call.request)
    throw badRequest('Key must not be empty')
  }

  router
    // The account's change feed (core/watch); /kv/items/* holds every key, so no key is read as it.
    .get('/kv/watch', async (call) =>
      watchResponse(engine, await account(call.request), call, context.config.watch, { invalid: badRequest }),
    )
    .get(ITEMS, list)
    // Allow on the listing path stays GET: PUT and DELETE there are bad input, not another method.
    .route('PUT', ITEMS, emptyKey, { advertised: false })
    .route('DELETE', ITEMS, emptyKey, { advertised: false })
    // With strictPath, /kv/items/ is this route with an empty key, which GET answers as the list.
    .get(`${ITEMS}/*`, (call) => (call.key.length === 0 ? list(call) : get(call)))
    .put(`${ITEMS}/*`, put)
    .delete(`${ITEMS}/*`, remove)
}
