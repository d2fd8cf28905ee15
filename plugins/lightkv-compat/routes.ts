// LightKV's endpoints, translating HTTP <-> Engine: items are engine entries holding the value's
// JSON text, lists are the engine's lists (ordered sets, each mutation atomic), and an app is one
// namespace whose id is the app's account id.

import type { AnyElysia } from 'elysia'
import type { DialectContext } from '../../core/dialect.ts'
import { dialectRoutes } from '../../core/dialect.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { NotFoundError } from '../../core/engine/errors.ts'
import { readStrictBodyText } from '../../core/http/body.ts'
import { elementTexts } from '../../core/http/json-text.ts'
import type { Mount } from '../../core/routes.ts'
import { authorize, READ, READWRITE } from './auth.ts'
import { LightKvError, ok, okText, renderError } from './errors.ts'
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

type Method = 'GET' | 'POST' | 'DELETE'

interface Call {
  /** The app's namespace. */
  ns: string
  request: Request
  query: URLSearchParams
}

interface Endpoint {
  method: Method
  path: string
  handle(call: Call): Promise<Response>
}

const SCAN_PAGE = 1000
const WRITE_METHODS: Method[] = ['POST', 'DELETE']

export function lightKvRoutes(context: DialectContext<LightKvOptions>, mount: Mount): AnyElysia {
  const { engine, options, auth, rateLimit } = context
  const schemas = lightKvSchemas(options)

  const queryKey = (query: URLSearchParams) => validate(schemas.Key, param(query, 'key'))

  async function body(request: Request): Promise<JsonBody> {
    // Bytes that are not UTF-8 would otherwise become U+FFFD, and two different keys one item.
    const text = await readStrictBodyText(request, options.maxBodyBytes)
    if (text === null) throw new LightKvError('BAD_REQUEST', 'Request body is not valid UTF-8')
    if (text.trim() === '') throw new LightKvError('BAD_REQUEST', 'Request body is required')
    return parseJsonBody(text)
  }

  /** Runs a list operation, naming the list when it does not exist. */
  async function onList<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      if (error instanceof NotFoundError) throw new LightKvError('NOT_FOUND', `List '${key}' not found`)
      throw error
    }
  }

  const keyJson = (key: string) => JSON.stringify(key)
  const listJson = (texts: string[]) => `[${texts.join(',')}]`
  const maxItems = { maxItems: options.maxListItems }

  const endpoints: Endpoint[] = [
    // --- Items ---
    {
      method: 'POST',
      path: '/item/write',
      async handle({ ns, request }) {
        const input = await body(request)
        const { key } = validate(schemas.ItemWrite, input.value)
        const text = valueText(input, 'value', options)
        await engine.put(ns, utf8(key), { bytes: utf8(text), kind: 'json', contentType: 'application/json' })
        return okText(`{"key":${keyJson(key)},"value":${text}}`)
      },
    },
    {
      method: 'GET',
      path: '/item/read',
      async handle({ ns, query }) {
        const key = queryKey(query)
        const entry = await engine.get(ns, utf8(key))
        if (!entry) throw new LightKvError('NOT_FOUND', `Key '${key}' not found`)
        return okText(`{"key":${keyJson(key)},"value":${fromUtf8(entry.value)}}`)
      },
    },
    {
      method: 'DELETE',
      path: '/item/delete',
      async handle({ ns, query }) {
        const key = queryKey(query)
        if (!(await engine.delete(ns, utf8(key))))
          throw new LightKvError('NOT_FOUND', `Key '${key}' not found`)
        return ok({ key, deleted: true })
      },
    },
    {
      method: 'GET',
      path: '/item/exists',
      async handle({ ns, query }) {
        return ok((await engine.get(ns, utf8(queryKey(query)))) !== null)
      },
    },
    {
      method: 'GET',
      path: '/item/keys',
      async handle({ ns, query }) {
        const prefix = query.get('prefix')
        const keys: string[] = []
        let cursor: Uint8Array | undefined
        do {
          const page = await engine.scan(ns, {
            prefix: prefix ? utf8(prefix) : undefined,
            cursor,
            limit: SCAN_PAGE,
          })
          for (const entry of page.entries) keys.push(fromUtf8(entry.key))
          cursor = page.cursor ?? undefined
        } while (cursor)
        return ok(keys)
      },
    },

    // --- Lists ---
    {
      method: 'POST',
      path: '/list/write',
      async handle({ ns, request }) {
        const input = await body(request)
        const { key } = validate(schemas.ListValues, input.value)
        const stored = await engine.listWrite(ns, utf8(key), valueTexts(input, options), maxItems)
        return okText(`{"key":${keyJson(key)},"values":${listJson(stored)}}`)
      },
    },
    {
      method: 'GET',
      path: '/list/read',
      async handle({ ns, query }) {
        const key = queryKey(query)
        return okText(listJson(await onList(key, () => engine.listRead(ns, utf8(key)))))
      },
    },
    {
      method: 'POST',
      path: '/list/add',
      async handle({ ns, request }) {
        const input = await body(request)
        const { key } = validate(schemas.ListValues, input.value)
        const stored = await engine.listAdd(ns, utf8(key), valueTexts(input, options), maxItems)
        return okText(`{"key":${keyJson(key)},"values":${listJson(stored)}}`)
      },
    },
    {
      method: 'POST',
      path: '/list/remove',
      async handle({ ns, request }) {
        const input = await body(request)
        const { key } = validate(schemas.ListValues, input.value)
        // No size check: a value too large to be stored is simply not in the list.
        const texts = elementTexts(input.members.get('values')!)
        const remaining = await onList(key, () => engine.listRemove(ns, utf8(key), texts))
        return okText(`{"key":${keyJson(key)},"values":${listJson(remaining)}}`)
      },
    },
    {
      method: 'POST',
      path: '/list/purge',
      async handle({ ns, request }) {
        const { key } = validate(schemas.ListKey, (await body(request)).value)
        if (!(await engine.listDelete(ns, utf8(key)))) {
          throw new LightKvError('NOT_FOUND', `List '${key}' not found`)
        }
        return ok({ key, deleted: true })
      },
    },
    {
      method: 'GET',
      path: '/list/exists',
      async handle({ ns, query }) {
        const key = queryKey(query)
        const value = query.get('value')
        return ok(await engine.listExists(ns, utf8(key), value === null ? undefined : candidates(value)))
      },
    },
    {
      method: 'GET',
      path: '/list/index',
      async handle({ ns, query }) {
        const key = queryKey(query)
        const value = param(query, 'value')
        return ok(await onList(key, () => engine.listIndex(ns, utf8(key), candidates(value))))
      },
    },
    {
      method: 'GET',
      path: '/list/count',
      async handle({ ns, query }) {
        const key = queryKey(query)
        return ok(await onList(key, () => engine.listCount(ns, utf8(key))))
      },
    },
    {
      method: 'GET',
      path: '/list/slice',
      async handle({ ns, query }) {
        const key = queryKey(query)
        const start = bound(query, 'start', 0)
        const end = bound(query, 'end', -1)
        return okText(listJson(await onList(key, () => engine.listSlice(ns, utf8(key), start, end))))
      },
    },
    {
      method: 'GET',
      path: '/list/keys',
      async handle({ ns, query }) {
        const prefix = query.get('prefix')
        const keys = await engine.listKeys(ns, { prefix: prefix ? utf8(prefix) : undefined })
        return ok(keys.map(fromUtf8))
      },
    },
  ]

  async function admit(request: Request, method: Method): Promise<string> {
    const ns = await authorize(auth, request, WRITE_METHODS.includes(method) ? READWRITE : READ)
    if (options.rateLimit > 0) {
      const result = await rateLimit.hit(`lightkv:${ns}`, options.rateLimit, options.rateLimitWindow)
      if (!result.allowed) {
        throw new LightKvError('RATE_LIMITED', 'Rate limit exceeded', {
          'retry-after': String(result.retryAfter),
        })
      }
    }
    return ns
  }

  let app: AnyElysia = dialectRoutes({ name: 'lightkv', renderError }, mount)
  for (const endpoint of endpoints) {
    app = app.route(
      endpoint.method,
      endpoint.path,
      async ({ request }) => {
        const ns = await admit(request, endpoint.method)
        return endpoint.handle({ ns, request, query: queryOf(request.url) })
      },
      { parse: 'none' },
    )
  }
  // A known path with another method: LightKV's envelope, not a bare 404.
  for (const endpoint of endpoints) {
    app = app.all(endpoint.path, () => {
      throw new LightKvError('METHOD_NOT_ALLOWED', `Use ${endpoint.method} for ${endpoint.path}`, {
        allow: endpoint.method,
      })
    })
  }
  return app
}
