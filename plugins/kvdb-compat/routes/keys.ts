// One key, the raw rest of the path after /{bucket}/: get its bytes (GET, HEAD), set it (POST,
// PUT), update it as a counter (PATCH), delete it.

import { fromUtf8 } from '../../../core/engine/bytes.ts'
import { formatFloat } from '../../../core/engine/numbers.ts'
import { readBody } from '../../../core/http/body.ts'
import { PayloadTooLargeError } from '../../../core/http/errors.ts'
import { authorize, authorizeKey, type Operation } from '../access.ts'
import { type BucketHandler, type BucketRequest, type Methods, ok } from '../context.ts'
import { kvdbError, messages, TEXT } from '../errors.ts'
import { queryText } from '../request.ts'
import { checkKey, contentTypeOf, expiryOf, parseDelta, parseTtl, rawValue } from '../values.ts'

/** Checks access and the key, in the order a client expects to hear about them; answers the key. */
function admit(operation: Operation, { call, bucket, principal, ctx }: BucketRequest): Uint8Array {
  authorize(operation, bucket, principal)
  const { key } = call
  checkKey(key, ctx.options.maxKeyBytes)
  authorizeKey(principal, key)
  return key
}

/** The ttl of a write: ?ttl= when given, else the bucket's default_ttl. */
function ttlOf({ call, bucket }: BucketRequest): number {
  const ttl = queryText(call, 'ttl')
  return ttl === undefined ? bucket.settings.defaultTtl : parseTtl(ttl)
}

async function set(request: BucketRequest): Promise<Response> {
  const key = admit('write', request)
  const ttl = ttlOf(request)
  const { ctx, bucket, call } = request
  const bytes = await readBody(call.request, ctx.options.maxValueBytes)
  const value = rawValue(bytes, call.request.headers.get('content-type'))
  await ctx.engine.put(bucket.id, key, value, expiryOf(ttl))
  return ok()
}

export const keyMethods: Methods<BucketHandler> = {
  async GET(request) {
    const key = admit('read', request)
    const entry = await request.ctx.engine.get(request.bucket.id, key)
    if (!entry) throw kvdbError(404, messages.keyNotFound)
    return new Response(entry.value as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentTypeOf(entry.kind, entry.value) },
    })
  },

  POST: set,
  PUT: set,

  async PATCH(request) {
    const key = admit('write', request)
    const ttl = ttlOf(request)
    const { ctx, bucket, call } = request
    let body: Uint8Array
    try {
      body = await readBody(call.request, 256)
    } catch (error) {
      // The contract has no 413 for PATCH: an overlong counter body is just not +N or -N.
      if (error instanceof PayloadTooLargeError) throw kvdbError(400, 'counter update must be +N or -N')
      throw error
    }
    const delta = parseDelta(fromUtf8(body))
    const result = await ctx.engine.increment(bucket.id, key, delta, expiryOf(ttl))
    const text = typeof result.value === 'bigint' ? result.value.toString() : formatFloat(result.value)
    return new Response(text, { headers: { 'content-type': TEXT } })
  },

  async DELETE(request) {
    const key = admit('write', request)
    await request.ctx.engine.delete(request.bucket.id, key)
    return ok()
  },
}
