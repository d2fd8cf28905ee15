// The Workers KV routes under the mount's prefix (/client/v4 by default): account lookups,
// namespaces, values, metadata, key listing and bulk operations, translated to the Engine.

import { Buffer } from 'node:buffer'
import type { Principal } from '../../core/auth/accounts.ts'
import type { DialectContext } from '../../core/dialect.ts'
import { dialectRoutes } from '../../core/dialect.ts'
import { fromUtf8, fromUtf8Strict, utf8 } from '../../core/engine/bytes.ts'
import type { Namespace } from '../../core/engine/namespaces.ts'
import type { BatchOp, Entry } from '../../core/engine/types.ts'
import { readJson } from '../../core/http/body.ts'
import type { Mount } from '../../core/routes.ts'
import { authenticate, authorize, credentialOf, DIALECT } from './auth.ts'
import { ok, paged } from './envelope.ts'
import { CfError, invalid, keyNotFound, namespaceNotFound } from './errors.ts'
import type { WorkersKvOptions } from './options.ts'
import { keyFromPath } from './paths.ts'
import { BulkGet, BulkWriteItem, CreateNamespace, KeyList, parse, RenameNamespace } from './schemas.ts'
import { checkKey, checkValueSize, expiryOf, keyCountLimit, metadataText, pageParam } from './validate.ts'
import { readValueBody } from './value-body.ts'

interface NamespaceSettings {
  jurisdiction?: string
}

const JSON_BODY_LIMIT = 64 * 1024
const BULK_GET_GROUP = 5
const NS = '/accounts/:account_id/storage/kv/namespaces'
const NAMESPACE_ID = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

type Params = { account_id: string; namespace_id: string }
type Ctx = { request: Request; params: Params }

export function workersKvRoutes(
  dialect: Parameters<typeof dialectRoutes>[0],
  context: DialectContext<WorkersKvOptions>,
  mount: Mount,
) {
  const { engine, auth, options, rateLimit } = context

  /** The caller, who must own the account in the path, within its rate limit. */
  async function caller(request: Request, accountId: string): Promise<Principal> {
    const principal = await authorize(auth, request, accountId)
    await limitRate(principal)
    return principal
  }

  async function limitRate(principal: Principal): Promise<void> {
    if (options.rateLimit <= 0) return
    const result = await rateLimit.hit(
      `${DIALECT}:${principal.accountId}`,
      options.rateLimit,
      options.rateLimitWindowSeconds,
    )
    if (!result.allowed) throw new CfError(429, 971, 'Please wait and consider throttling your request speed')
  }

  /** The namespace in the path, which must be a Workers KV namespace of the caller's account. */
  async function namespaceOf({ request, params }: Ctx): Promise<Namespace<NamespaceSettings>> {
    const principal = await caller(request, params.account_id)
    const ns = await engine.namespaces.get<NamespaceSettings>(params.namespace_id)
    if (!ns || ns.dialect !== DIALECT || ns.owner !== principal.accountId) throw namespaceNotFound()
    return ns
  }

  async function jsonBody(request: Request, limit = JSON_BODY_LIMIT): Promise<unknown> {
    const body = await readJson(request, limit)
    if (body === undefined) throw invalid('A JSON request body is required')
    return body
  }

  const verify = async (request: Request, accountId?: string) => {
    const credential = credentialOf(request)
    const principal = credential ? await auth.verify(credential, DIALECT) : null
    if (!principal) throw new CfError(401, 1000, 'Invalid API Token')
    if (accountId !== undefined && principal.accountId !== accountId)
      throw new CfError(403, 10000, 'Authentication error')
    return ok(
      { id: principal.credentialId, status: 'active' },
      { messages: [{ code: 10000, message: 'This API Token is valid and active', type: null }] },
    )
  }

  const accountOf = async (principal: Principal) => {
    const account = await auth.get(principal.accountId)
    return { id: principal.accountId, name: account?.name ?? principal.accountId }
  }

  const accountPage = (request: Request) => {
    const query = new URL(request.url).searchParams
    return { page: pageParam(query, 'page', 1), perPage: pageParam(query, 'per_page', 20, 1000) }
  }

  return (
    dialectRoutes(dialect, mount)
      // --- Account lookups (wrangler without CLOUDFLARE_ACCOUNT_ID, and `wrangler whoami`) ---
      .get('/user/tokens/verify', ({ request }) => verify(request))
      .get('/accounts/:account_id/tokens/verify', ({ request, params }) => verify(request, params.account_id))
      .get('/accounts', async ({ request }) => {
        const principal = await authenticate(auth, request)
        await limitRate(principal)
        const { page, perPage } = accountPage(request)
        const account = await accountOf(principal)
        return paged([{ ...account, type: 'standard' }], page, perPage)
      })
      .get('/memberships', async ({ request }) => {
        const principal = await authenticate(auth, request)
        await limitRate(principal)
        const { page, perPage } = accountPage(request)
        const account = await accountOf(principal)
        return paged([{ id: principal.accountId, status: 'accepted', account }], page, perPage)
      })

      // --- Namespaces ---
      .get(NS, async ({ request, params }) => {
        const principal = await caller(request, params.account_id)
        const query = new URL(request.url).searchParams
        const page = pageParam(query, 'page', 1)
        const perPage = pageParam(query, 'per_page', 20, 1000)
        const order = query.get('order') || 'title'
        const direction = query.get('direction') || 'asc'
        if (order !== 'id' && order !== 'title')
          throw invalid(`Invalid order of ${order}. Use "id" or "title".`)
        if (direction !== 'asc' && direction !== 'desc') {
          throw invalid(`Invalid direction of ${direction}. Use "asc" or "desc".`)
        }
        const all = (
          await engine.namespaces.list<NamespaceSettings>({ dialect: DIALECT, owner: principal.accountId })
        )
          .map(namespaceJson)
          .sort((a, b) => compare(a[order], b[order]) || compare(a.id, b.id))
        if (direction === 'desc') all.reverse()
        return paged(all, page, perPage)
      })
      .post(
        NS,
        async ({ request, params }) => {
          const principal = await caller(request, params.account_id)
          const input = parse(CreateNamespace, await jsonBody(request))
          if (!input.ok) throw invalid(input.message)
          const count = await engine.namespaces.count({ dialect: DIALECT, owner: principal.accountId })
          if (count >= options.maxNamespaces) {
            throw invalid(`This account already has the maximum of ${options.maxNamespaces} namespaces.`)
          }
          const { title, jurisdiction } = input.value
          const ns = await engine.namespaces.create<NamespaceSettings>({
            dialect: DIALECT,
            id: NAMESPACE_ID(),
            owner: principal.accountId,
            title,
            settings: jurisdiction ? { jurisdiction } : {},
          })
          return ok(namespaceJson(ns))
        },
        { parse: 'none' },
      )
      .get(`${NS}/:namespace_id`, async (ctx) => ok(namespaceJson(await namespaceOf(ctx))))
      .put(
        `${NS}/:namespace_id`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          const input = parse(RenameNamespace, await jsonBody(ctx.request))
          if (!input.ok) throw invalid(input.message)
          return ok(
            namespaceJson(
              await engine.namespaces.update<NamespaceSettings>(ns.id, { title: input.value.title }),
            ),
          )
        },
        { parse: 'none' },
      )
      .delete(
        `${NS}/:namespace_id`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          if (!(await engine.namespaces.delete(ns.id))) throw namespaceNotFound()
          return ok(null)
        },
        { parse: 'none' },
      )

      // --- Keys ---
      .get(`${NS}/:namespace_id/keys`, async (ctx) => {
        const ns = await namespaceOf(ctx)
        const query = new URL(ctx.request.url).searchParams
        const limit = keyCountLimit(query, 1000)
        const prefix = query.get('prefix') || ''
        const cursor = cursorOf(query.get('cursor') || '')
        const page = await engine.scan(ns.id, {
          prefix: prefix ? utf8(prefix) : undefined,
          cursor,
          limit,
        })
        const result = page.entries.map((entry) => {
          const item: Record<string, unknown> = { name: fromUtf8(entry.key) }
          if (entry.expiresAt !== null) item.expiration = Math.ceil(entry.expiresAt / 1000)
          if (entry.metadata !== null) item.metadata = JSON.parse(entry.metadata)
          return item
        })
        return ok(result, {
          result_info: {
            count: result.length,
            cursor: page.cursor ? Buffer.from(page.cursor).toString('base64url') : '',
          },
        })
      })

      // --- Values and metadata ---
      .get(`${NS}/:namespace_id/values/*`, async (ctx) => {
        const ns = await namespaceOf(ctx)
        const key = checkKey(keyFromPath(ctx.request.url, 'values'), options)
        const entry = await engine.get(ns.id, key)
        if (!entry) throw keyNotFound()
        const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
        if (entry.expiresAt !== null) headers.expiration = String(Math.ceil(entry.expiresAt / 1000))
        return new Response(entry.value as Uint8Array<ArrayBuffer>, { headers })
      })
      .put(
        `${NS}/:namespace_id/values/*`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          const key = checkKey(keyFromPath(ctx.request.url, 'values'), options)
          const query = new URL(ctx.request.url).searchParams
          const expiresAt = expiryOf(
            query.get('expiration'),
            query.get('expiration_ttl'),
            engine.clock.now(),
            options,
          )
          const body = await readValueBody(ctx.request, options)
          const metadata = metadataText(body.metadata, options)
          await engine.put(ns.id, key, { bytes: body.value, metadata }, { expiresAt })
          return ok(null)
        },
        { parse: 'none' },
      )
      .delete(
        `${NS}/:namespace_id/values/*`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          const key = checkKey(keyFromPath(ctx.request.url, 'values'), options)
          await engine.delete(ns.id, key)
          return ok(null)
        },
        { parse: 'none' },
      )
      .get(`${NS}/:namespace_id/metadata/*`, async (ctx) => {
        const ns = await namespaceOf(ctx)
        const key = checkKey(keyFromPath(ctx.request.url, 'metadata'), options)
        const entry = await engine.get(ns.id, key)
        if (!entry) throw keyNotFound()
        return ok(entry.metadata === null ? null : JSON.parse(entry.metadata))
      })

      // --- Bulk ---
      .put(
        `${NS}/:namespace_id/bulk`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          const body = await jsonBody(ctx.request, options.maxBulkBytes)
          if (!Array.isArray(body)) throw invalid('The body must be a JSON array of key-value pairs')
          checkBulkCount(body.length)
          const now = engine.clock.now()
          // Every item is checked before anything is written: the write is all or nothing.
          const ops: BatchOp[] = body.map((raw, index) => {
            const item = parse(BulkWriteItem, raw)
            if (!item.ok) throw invalid(`Item ${index}: ${item.message}`)
            const { key, value, base64, expiration, expiration_ttl, metadata } = item.value
            const bytes = base64 ? decodeBase64(value, index) : utf8(value)
            checkValueSize(bytes.length, options)
            return {
              type: 'put',
              key: checkKey(utf8(key), options, false),
              value: { bytes, metadata: metadataText(metadata, options) },
              expiresAt: expiryOf(expiration, expiration_ttl, now, options),
            }
          })
          if (ops.length > 0) await engine.batch(ns.id, ops)
          return ok({ successful_key_count: ops.length, unsuccessful_keys: [] })
        },
        { parse: 'none' },
      )
      .post(`${NS}/:namespace_id/bulk/delete`, async (ctx) => bulkDelete(ctx), { parse: 'none' })
      .delete(`${NS}/:namespace_id/bulk`, async (ctx) => bulkDelete(ctx), { parse: 'none' })
      .post(
        `${NS}/:namespace_id/bulk/get`,
        async (ctx) => {
          const ns = await namespaceOf(ctx)
          const input = parse(BulkGet, await jsonBody(ctx.request))
          if (!input.ok) throw invalid(input.message)
          const { keys, type = 'text', withMetadata = false } = input.value
          if (keys.length > options.maxBulkGetKeys) {
            throw invalid(`You can request a maximum of ${options.maxBulkGetKeys} keys`)
          }
          if (keys.length === 0) throw invalid('You must request a minimum of 1 key')
          if (type !== 'text' && type !== 'json') {
            throw invalid(`${JSON.stringify(type)} is not a valid type. Use "json" or "text"`)
          }
          const unique = [...new Set(keys)]
          // Read a few keys at a time and stop once the total is over: 100 values of 25 MiB each
          // must never sit in memory together.
          const keyBytes = unique.map((key) => checkKey(utf8(key), options, false))
          const entries: Array<Entry | null> = []
          let total = 0
          for (let start = 0; start < keyBytes.length; start += BULK_GET_GROUP) {
            const group = await engine.getMany(ns.id, keyBytes.slice(start, start + BULK_GET_GROUP))
            for (const entry of group) total += entry?.value.length ?? 0
            if (total > options.maxValueBytes) {
              throw invalid(
                `The requested values exceed the limit of ${options.maxValueBytes} bytes in total.`,
                413,
              )
            }
            entries.push(...group)
          }
          const values: Record<string, unknown> = {}
          unique.forEach((key, index) => {
            const entry = entries[index]
            let value: unknown = null
            if (entry) {
              value = type === 'json' ? parseJsonValue(entry.value) : fromUtf8(entry.value)
              if (withMetadata) {
                const withMeta: Record<string, unknown> = {
                  value,
                  metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
                }
                if (entry.expiresAt !== null) withMeta.expiration = Math.ceil(entry.expiresAt / 1000)
                value = withMeta
              }
            }
            Object.defineProperty(values, key, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            })
          })
          return ok({ values })
        },
        { parse: 'none' },
      )
  )

  async function bulkDelete(ctx: Ctx) {
    const ns = await namespaceOf(ctx)
    const input = parse(KeyList, await jsonBody(ctx.request, options.maxBulkBytes))
    if (!input.ok) throw invalid(input.message)
    checkBulkCount(input.value.length)
    const ops: BatchOp[] = input.value.map((key) => ({
      type: 'delete',
      key: checkKey(utf8(key), options, false),
    }))
    if (ops.length > 0) await engine.batch(ns.id, ops)
    return ok({ successful_key_count: ops.length, unsuccessful_keys: [] })
  }

  function checkBulkCount(count: number): void {
    if (count > options.maxBulkItems) {
      throw invalid(`A bulk request of ${count} keys exceeds the limit of ${options.maxBulkItems}.`, 413)
    }
  }
}

function namespaceJson(ns: Namespace<NamespaceSettings>) {
  const json: { id: string; title: string; supports_url_encoding: true; jurisdiction?: string } = {
    id: ns.id,
    title: ns.title ?? '',
    supports_url_encoding: true,
  }
  if (ns.settings.jurisdiction) json.jurisdiction = ns.settings.jurisdiction
  return json
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The key a cursor names: the last key of the previous page, as base64url. */
function cursorOf(cursor: string): Uint8Array | undefined {
  if (cursor === '') return undefined
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || cursor.length % 4 === 1)
    throw invalid(`Invalid cursor of ${cursor}.`)
  return new Uint8Array(Buffer.from(cursor, 'base64url'))
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function decodeBase64(text: string, index: number): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '')
  const unpadded = compact.replace(/=+$/, '')
  if (
    !BASE64.test(compact) ||
    unpadded.length % 4 === 1 ||
    (compact.includes('=') && compact.length % 4 !== 0)
  ) {
    throw invalid(`Item ${index}: "value" is not valid base64`)
  }
  return new Uint8Array(Buffer.from(unpadded, 'base64'))
}

function parseJsonValue(bytes: Uint8Array): unknown {
  const text = fromUtf8Strict(bytes)
  try {
    if (text === null) throw new Error('not UTF-8')
    return JSON.parse(text)
  } catch {
    throw invalid('At least one of the requested keys corresponds to a non-json value')
  }
}
