// Values (raw bytes out, raw or multipart in), their metadata, and the keys list with its cursor.

import { Buffer } from 'node:buffer'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { ok } from './envelope.ts'
import { invalid, keyNotFound } from './errors.ts'
import { type KvContext, NS, type RouteContext, type Routes } from './kv-context.ts'
import { keyFromPath } from './paths.ts'
import { checkKey, expiryOf, keyCountLimit, metadataText } from './validate.ts'
import { readValueBody } from './value-body.ts'

export function valueRoutes(app: Routes, kv: KvContext): Routes {
  const { engine, options } = kv
  /** The namespace (after the caller's credentials) and then the key of a value or metadata path. */
  const target = async (context: RouteContext, section: 'values' | 'metadata') => {
    const ns = await kv.namespaceOf(context)
    return { ns, key: checkKey(keyFromPath(context.request.url, section), options) }
  }

  return app
    .get(`${NS}/:namespace_id/keys`, async ({ request, params }: RouteContext) => {
      const ns = await kv.namespaceOf({ request, params })
      const query = new URL(request.url).searchParams
      const limit = keyCountLimit(query, 1000)
      const prefix = query.get('prefix') || ''
      const cursor = cursorOf(query.get('cursor') || '')
      const page = await engine.scan(ns.id, { prefix: prefix ? utf8(prefix) : undefined, cursor, limit })
      const result = page.entries.map((entry) => {
        const item: Record<string, unknown> = { name: fromUtf8(entry.key) }
        if (entry.expiresAt !== null) item.expiration = Math.ceil(entry.expiresAt / 1000)
        if (entry.metadata !== null) item.metadata = JSON.parse(entry.metadata)
        return item
      })
      const next = page.cursor ? Buffer.from(page.cursor).toString('base64url') : ''
      return ok(result, { result_info: { count: result.length, cursor: next } })
    })
    .get(`${NS}/:namespace_id/values/*`, async ({ request, params }: RouteContext) => {
      const { ns, key } = await target({ request, params }, 'values')
      const entry = await engine.get(ns.id, key)
      if (!entry) throw keyNotFound()
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
      if (entry.expiresAt !== null) headers.expiration = String(Math.ceil(entry.expiresAt / 1000))
      return new Response(entry.value as Uint8Array<ArrayBuffer>, { headers })
    })
    .put(
      `${NS}/:namespace_id/values/*`,
      async ({ request, params }: RouteContext) => {
        const { ns, key } = await target({ request, params }, 'values')
        const query = new URL(request.url).searchParams
        const now = engine.clock.now()
        const expiresAt = expiryOf(query.get('expiration'), query.get('expiration_ttl'), now, options)
        const body = await readValueBody(request, options)
        const metadata = metadataText(body.metadata, options)
        await engine.put(ns.id, key, { bytes: body.value, metadata }, { expiresAt })
        return ok(null)
      },
      { parse: 'none' },
    )
    .delete(
      `${NS}/:namespace_id/values/*`,
      async ({ request, params }: RouteContext) => {
        const { ns, key } = await target({ request, params }, 'values')
        await engine.delete(ns.id, key)
        return ok(null)
      },
      { parse: 'none' },
    )
    .get(`${NS}/:namespace_id/metadata/*`, async ({ request, params }: RouteContext) => {
      const { ns, key } = await target({ request, params }, 'metadata')
      const entry = await engine.get(ns.id, key)
      if (!entry) throw keyNotFound()
      return ok(entry.metadata === null ? null : JSON.parse(entry.metadata))
    })
}

/** The key a cursor names: the last key of the previous page, as base64url. */
function cursorOf(cursor: string): Uint8Array | undefined {
  if (cursor === '') return undefined
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || cursor.length % 4 === 1)
    throw invalid(`Invalid cursor of ${cursor}.`)
  return new Uint8Array(Buffer.from(cursor, 'base64url'))
}
