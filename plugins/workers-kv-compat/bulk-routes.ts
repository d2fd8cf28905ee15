// Bulk operations: an all-or-nothing write of up to 10,000 items, deletes by POST /bulk/delete
// (the SDK) and DELETE /bulk (wrangler), and a text or JSON read of up to 100 keys.

import { Buffer } from 'node:buffer'
import { fromUtf8, fromUtf8Strict, utf8 } from '../../core/engine/bytes.ts'
import type { BatchOp, Entry } from '../../core/engine/types.ts'
import type { Call } from '../../core/http/call.ts'
import { parseWith } from '../../core/http/validate.ts'
import { ok } from './envelope.ts'
import { invalid } from './errors.ts'
import { NS, type RouteGroup } from './kv-context.ts'
import { BulkGet, BulkWriteItem, KeyList, parse } from './schemas.ts'
import { checkKey, checkValueSize, expiryOf, metadataText } from './validate.ts'

/** Keys read together by a bulk get before the running total is checked. */
const BULK_GET_GROUP = 5

export const bulkRoutes: RouteGroup = (router, kv) => {
  const { engine, options } = kv

  function checkBulkCount(count: number): void {
    if (count > options.maxBulkItems) {
      throw invalid(`A bulk request of ${count} keys exceeds the limit of ${options.maxBulkItems}.`, 413)
    }
  }

  async function bulkDelete(call: Call) {
    const ns = await kv.namespaceOf(call)
    const keys = parse(KeyList, await kv.jsonBody(call.request, options.maxBulkBytes))
    checkBulkCount(keys.length)
    const ops: BatchOp[] = keys.map((key) => ({
      type: 'delete',
      key: checkKey(utf8(key), options, false),
    }))
    if (ops.length > 0) await engine.batch(ns.id, ops)
    return ok({ successful_key_count: ops.length, unsuccessful_keys: [] })
  }

  router
    .put(`${NS}/:namespace_id/bulk`, async (call) => {
      const ns = await kv.namespaceOf(call)
      const body = await kv.jsonBody(call.request, options.maxBulkBytes)
      if (!Array.isArray(body)) throw invalid('The body must be a JSON array of key-value pairs')
      checkBulkCount(body.length)
      const now = engine.clock.now()
      // Every item is checked before anything is written: the write is all or nothing.
      const ops: BatchOp[] = body.map((raw, index) => {
        const { key, value, base64, expiration, expiration_ttl, metadata } = parseWith(
          BulkWriteItem,
          raw,
          (message) => invalid(`Item ${index}: ${message}`),
          { withPath: true },
        )
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
    })
    .post(`${NS}/:namespace_id/bulk/delete`, bulkDelete)
    .delete(`${NS}/:namespace_id/bulk`, bulkDelete)
    .post(`${NS}/:namespace_id/bulk/get`, async (call) => {
      const ns = await kv.namespaceOf(call)
      const { keys, type = 'text', withMetadata = false } = parse(BulkGet, await kv.jsonBody(call.request))
      if (keys.length > options.maxBulkGetKeys) {
        throw invalid(`You can request a maximum of ${options.maxBulkGetKeys} keys`)
      }
      if (keys.length === 0) throw invalid('You must request a minimum of 1 key')
      if (type !== 'text' && type !== 'json') {
        throw invalid(`${JSON.stringify(type)} is not a valid type. Use "json" or "text"`)
      }
      const unique = [...new Set(keys)]
      const keyBytes = unique.map((key) => checkKey(utf8(key), options, false))
      // A few keys at a time, stopping once the total is over: 100 values of 25 MiB each must
      // never sit in memory together.
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
          if (withMetadata) value = withMetadataOf(value, entry)
        }
        // defineProperty, so a key named "__proto__" is an ordinary entry.
        Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true })
      })
      try {
        return ok({ values })
      } catch (error) {
        // A stored value may parse (type json) yet be nested too deeply to be written back.
        if (error instanceof RangeError) {
          throw invalid('At least one of the requested values is nested too deeply to return as JSON')
        }
        throw error
      }
    })
}

function withMetadataOf(value: unknown, entry: Entry) {
  const result: Record<string, unknown> = {
    value,
    metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
  }
  if (entry.expiresAt !== null) result.expiration = Math.ceil(entry.expiresAt / 1000)
  return result
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Standard base64, padding optional, line breaks ignored; anything else is a 400 naming the item. */
function decodeBase64(text: string, index: number): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '')
  const unpadded = compact.replace(/=+$/, '')
  const badPadding = compact.includes('=') && compact.length % 4 !== 0
  if (!BASE64.test(compact) || unpadded.length % 4 === 1 || badPadding) {
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
