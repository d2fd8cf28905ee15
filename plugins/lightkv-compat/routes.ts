// LightKV's endpoints, translating HTTP <-> Engine: items are engine entries holding the value's
// JSON text, lists are the engine's lists (ordered sets, each mutation atomic), and an app is one
// namespace whose id is the app's account id. Unknown paths (404) and wrong methods (405) are the
// router's, answered through the error table.

import type { DialectContext } from '../../core/dialect.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { readStrictBodyText } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import { elementTexts } from '../../core/http/json-text.ts'
import type { DialectRouter } from '../../core/http/router.ts'
import { watchResponse } from '../../core/watch/index.ts'
import { type Access, authorize, READ, READWRITE } from './auth.ts'
import { LightKvError, ok, okText } from './errors.ts'
import { type JsonBody, parseJsonBody } from './json-text.ts'
import type { LightKvOptions } from './options.ts'
import {
  bound,
  candidates,
  lightKvSchemas,
  param,
  queryOf,
  validate,
  valueText,
  valueTexts,
} from './schemas.ts'

const SCAN_PAGE = 1000

const keyJson = (key: string) => JSON.stringify(key)
const listJson = (texts: string[]) => `[${texts.join(',')}]`
const keyAndValues = (key: string, texts: string[]) => `{"key":${keyJson(key)},"values":${listJson(texts)}}`

export function lightKvRoutes(router: DialectRouter, context: DialectContext<LightKvOptions>): void {
  const { engine, options, auth, rateLimit } = context
  const schemas = lightKvSchemas(options)
  const maxItems = { maxItems: options.maxListItems }

  /**
   * The app a request acts on: its token first, then its rate limit, before the request itself.
   * The limit is off by default, and then no request pays for an extra await.
   */
  const admit: (request: Request, access: Access) => Promise<string> =
    options.rateLimit > 0
      ? async (request, access) => {
          const ns = await authorize(auth, request, access)
          await rateLimit.enforce(`lightkv:${ns}`, options.rateLimit, options.rateLimitWindow)
          return ns
        }
      : (request, access) => authorize(auth, request, access)

  async function body(request: Request): Promise<JsonBody> {
    // Bytes that are not UTF-8 would otherwise become U+FFFD, and two different keys one item.
    const text = await readStrictBodyText(request, options.maxBodyBytes)
    if (text === null) throw new LightKvError('BAD_REQUEST', 'Request body is not valid UTF-8')
    if (text.trim() === '') throw new LightKvError('BAD_REQUEST', 'Request body is required')
    return parseJsonBody(text)
  }

  /** A GET endpoint: either token, then the query. */
  const reading =
    (handle: (ns: string, query: URLSearchParams) => Promise<Response>) =>
    async (call: Call): Promise<Response> =>
      handle(await admit(call.request, READ), queryOf(call))

  /** A POST endpoint: the readwrite token, then the JSON body. */
  const writing =
    (handle: (ns: string, input: JsonBody) => Promise<Response>) =>
    async ({ request }: Call): Promise<Response> =>
      handle(await admit(request, READWRITE), await body(request))

  const queryKey = (query: URLSearchParams) => validate(schemas.Key, param(query, 'key'))
  const optionalPrefix = (query: URLSearchParams) => {
    const prefix = query.get('prefix')
    return prefix ? utf8(prefix) : undefined
  }

  router
    // The app's change feed (core/watch): keys travel in queries here, so no key is read as it.
    .get('/watch', async (call) =>
      watchResponse(engine, await admit(call.request, READ), call, context.config.watch, {
        invalid: (message) => new LightKvError('BAD_REQUEST', message),
      }),
    )
  // --- Items ---
  router
    .post(
      '/item/write',
      writing(async (ns, input) => {
        const { key } = validate(schemas.ItemWrite, input.value)
        const text = valueText(input, 'value', options)
        await engine.put(ns, utf8(key), { bytes: utf8(text), kind: 'json', contentType: 'application/json' })
        return okText(`{"key":${keyJson(key)},"value":${text}}`)
      }),
    )
    .get(
      '/item/read',
      reading(async (ns, query) => {
        const key = queryKey(query)
        const entry = await engine.get(ns, utf8(key))
        if (!entry) throw new LightKvError('NOT_FOUND', `Key '${key}' not found`)
        return okText(`{"key":${keyJson(key)},"value":${fromUtf8(entry.value)}}`)
      }),
    )
    .delete('/item/delete', async (call) => {
      const ns = await admit(call.request, READWRITE)
      const key = queryKey(queryOf(call))
      if (!(await engine.delete(ns, utf8(key)))) throw new LightKvError('NOT_FOUND', `Key '${key}' not found`)
      return ok({ key, deleted: true })
    })
    .get(
      '/item/exists',
      reading(async (ns, query) => ok((await engine.get(ns, utf8(queryKey(query)))) !== null)),
    )
    .get(
      '/item/keys',
      reading(async (ns, query) => {
        const prefix = optionalPrefix(query)
        const keys: string[] = []
        let cursor: Uint8Array | undefined
        do {
          const page = await engine.scan(ns, { prefix, cursor, limit: SCAN_PAGE })
          for (const entry of page.entries) keys.push(fromUtf8(entry.key))
          cursor = page.cursor ?? undefined
        } while (cursor)
        return ok(keys)
      }),
    )

  /** list/write and list/add: the values' JSON texts as sent in, the whole list as stored out. */
  const storing = (operation: 'listWrite' | 'listAdd') =>
    writing(async (ns, input) => {
      const { key } = validate(schemas.ListValues, input.value)
      const stored = await engine[operation](ns, utf8(key), valueTexts(input, options), maxItems)
      return okText(keyAndValues(key, stored))
    })

  // --- Lists (a missing one is the engine's NotFoundError, named by the error table) ---
  router
    .post('/list/write', storing('listWrite'))
    .get(
      '/list/read',
      reading(async (ns, query) => okText(listJson(await engine.listRead(ns, utf8(queryKey(query)))))),
    )
    .post('/list/add', storing('listAdd'))
    .post(
      '/list/remove',
      writing(async (ns, input) => {
        const { key } = validate(schemas.ListValues, input.value)
        // No size check: a value too large to be stored is simply not in the list.
        const remaining = await engine.listRemove(ns, utf8(key), elementTexts(input.members.get('values')!))
        return okText(keyAndValues(key, remaining))
      }),
    )
    .post(
      '/list/purge',
      writing(async (ns, input) => {
        const { key } = validate(schemas.ListKey, input.value)
        if (!(await engine.listDelete(ns, utf8(key)))) {
          throw new LightKvError('NOT_FOUND', `List '${key}' not found`)
        }
        return ok({ key, deleted: true })
      }),
    )
    .get(
      '/list/exists',
      reading(async (ns, query) => {
        const key = queryKey(query)
        const value = query.get('value')
        return ok(await engine.listExists(ns, utf8(key), value === null ? undefined : candidates(value)))
      }),
    )
    .get(
      '/list/index',
      reading(async (ns, query) => {
        const key = queryKey(query)
        return ok(await engine.listIndex(ns, utf8(key), candidates(param(query, 'value'))))
      }),
    )
    .get(
      '/list/count',
      reading(async (ns, query) => ok(await engine.listCount(ns, utf8(queryKey(query))))),
    )
    .get(
      '/list/slice',
      reading(async (ns, query) => {
        const key = queryKey(query)
        const start = bound(query, 'start', 0)
        const end = bound(query, 'end', -1)
        return okText(listJson(await engine.listSlice(ns, utf8(key), start, end)))
      }),
    )
    .get(
      '/list/keys',
      reading(async (ns, query) => {
        const keys = await engine.listKeys(ns, { prefix: optionalPrefix(query) })
        return ok(keys.map(fromUtf8))
      }),
    )
}
