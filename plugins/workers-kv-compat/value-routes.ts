// Values (raw bytes out, raw or multipart in), their metadata, and the keys list with its cursor.

import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import type { Call } from '../../core/http/call.ts'
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts'
import { ok } from './envelope.ts'
import { invalid, keyNotFound } from './errors.ts'
import { NS, type RouteGroup } from './kv-context.ts'
import { checkKey, expiryOf, illegalKeyName, keyCountLimit, metadataText } from './validate.ts'
import { readValueBody } from './value-body.ts'

export const valueRoutes: RouteGroup = (router, kv) => {
  const { engine, options } = kv
  /** The namespace (after the caller's credentials) and then the key of a value or metadata path. */
  const target = async (call: Call) => {
    const ns = await kv.namespaceOf(call)
    return { ns, key: checkKey(call.key, options) }
  }

  router
    .get(`${NS}/:namespace_id/keys`, async (call) => {
      const ns = await kv.namespaceOf(call)
      const { query } = call
      const limit = keyCountLimit(query, 1000)
      const prefix = query.get('prefix') || ''
      // Any key's cursor is taken, even one longer than a key may be: the page after it is empty.
      const cursorText = query.get('cursor') || ''
      const cursor = cursorText === '' ? undefined : decodeCursor(cursorText)
      if (cursor === null) throw invalid(`Invalid cursor of ${cursorText}.`)
      const page = await engine.scan(ns.id, { prefix: prefix ? utf8(prefix) : undefined, cursor, limit })
      const result = page.entries.map((entry) => {
        const item: Record<string, unknown> = { name: fromUtf8(entry.key) }
        if (entry.expiresAt !== null) item.expiration = Math.ceil(entry.expiresAt / 1000)
        if (entry.metadata !== null) item.metadata = JSON.parse(entry.metadata)
        return item
      })
      const next = page.cursor ? encodeCursor(page.cursor) : ''
      return ok(result, { result_info: { count: result.length, cursor: next } })
    })
    .get(`${NS}/:namespace_id/values/*`, async (call) => {
      const { ns, key } = await target(call)
      const entry = await engine.get(ns.id, key)
      if (!entry) throw keyNotFound()
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' }
      if (entry.expiresAt !== null) headers.expiration = String(Math.ceil(entry.expiresAt / 1000))
      return new Response(entry.value as Uint8Array<ArrayBuffer>, { headers })
    })
    .put(`${NS}/:namespace_id/values/*`, async (call) => {
      const { ns, key } = await target(call)
      const { query } = call
      const now = engine.clock.now()
      const expiresAt = expiryOf(query.get('expiration'), query.get('expiration_ttl'), now, options)
      const body = await readValueBody(call.request, options)
      const metadata = metadataText(body.metadata, options)
      await engine.put(ns.id, key, { bytes: body.value, metadata }, { expiresAt })
      return ok(null)
    })
    .delete(`${NS}/:namespace_id/values/*`, async (call) => {
      const { ns, key } = await target(call)
      await engine.delete(ns.id, key)
      return ok(null)
    })
    .get(`${NS}/:namespace_id/metadata/*`, async (call) => {
      const { ns, key } = await target(call)
      const entry = await engine.get(ns.id, key)
      if (!entry) throw keyNotFound()
      return ok(entry.metadata === null ? null : JSON.parse(entry.metadata))
    })

  // A key ".." (values/.., metadata/%2E%2E) reaches the server as the namespace's path with a
  // trailing slash, once the URL parser has resolved the dot segment: it names that key, never the
  // namespace, so it answers what Cloudflare answers for the key.
  const dotDot = async (call: Call) => {
    await kv.namespaceOf(call)
    throw illegalKeyName('..')
  }
  for (const method of ['GET', 'PUT', 'DELETE'] as const) router.route(method, `${NS}/:namespace_id/`, dotDot)
}
