// One key: get its bytes (GET, HEAD), set it (POST, PUT), update it as a counter (PATCH), delete it.

import { fromUtf8 } from '../../../core/engine/bytes.ts'
import { formatFloat } from '../../../core/engine/numbers.ts'
import { readBody } from '../../../core/http/body.ts'
import { PayloadTooLargeError } from '../../../core/http/errors.ts'
import { authorize, authorizeKey, type Operation } from '../access.ts'
import { type KeyRequest, type Methods, ok } from '../context.ts'
import { kvdbError, messages, TEXT } from '../errors.ts'
import { checkKey, contentTypeOf, expiryOf, parseDelta, parseTtl, rawValue } from '../values.ts'

/** Checks access and the key, in the order a client expects to hear about them. */
function admit(operation: Operation, { bucket, principal, key, ctx }: KeyRequest): void {
  authorize(operation, bucket, principal)
  checkKey(key, ctx.options.maxKeyBytes)
  authorizeKey(principal, key)
}

/** The ttl of a write: ?ttl= when given, else the bucket's default_ttl. */
function ttlOf({ query, bucket }: KeyRequest): number {
  const ttl = query.text('ttl')
  return ttl === undefined ? bucket.settings.defaultTtl : parseTtl(ttl)
}

async function set(request: KeyRequest): Promise<Response> {
  admit('write', request)
  const ttl = ttlOf(request)
  const { ctx, bucket, key } = request
  const bytes = await readBody(request.request, ctx.options.maxValueBytes)
  const value = rawValue(bytes, request.request.headers.get('content-type'))
  await ctx.engine.put(bucket.id, key, value, expiryOf(ttl))
  return ok()
}

export const keyMethods: Methods<KeyRequest> = {
  async GET(request) {
    admit('read', request)
    const entry = await request.ctx.engine.get(request.bucket.id, request.key)
    if (!entry) throw kvdbError(404, messages.keyNotFound)
    return new Response(entry.value as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentTypeOf(entry.kind, entry.value) },
    })
  },

  POST: set,
  PUT: set,

  async PATCH(request) {
    admit('write', request)
    const ttl = ttlOf(request)
    const { ctx, bucket, key } = request
    let body: Uint8Array
    try {
      body = await readBody(request.request, 256)
    } catch (error) {
      if (error instanceof PayloadTooLargeError) throw kvdbError(400, 'counter update must be +N or -N')
      throw error
    }
    const delta = parseDelta(fromUtf8(body))
    const result = await ctx.engine.increment(bucket.id, key, delta, expiryOf(ttl))
    const text = typeof result.value === 'bigint' ? result.value.toString() : formatFloat(result.value)
    return new Response(text, { headers: { 'content-type': TEXT } })
  },

  async DELETE(request) {
    admit('write', request)
    await request.ctx.engine.delete(request.bucket.id, request.key)
    return ok()
  },
}
