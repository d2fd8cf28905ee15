// CloudKV's routes: ping, buckets and keys, each translating HTTP <-> Engine under the contract's
// access rules. Keys come from the route as bytes (call.key), values are read under their own
// limit as they stream in, and errors are thrown for the core to render by errors.ts's table.

import type { DialectContext } from '../../core/dialect.ts'
import { concatBytes } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import { HttpError } from '../../core/http/errors.ts'
import { formComponentBytes } from '../../core/http/path.ts'
import type { DialectRouter } from '../../core/http/router.ts'
import { parseWith } from '../../core/http/validate.ts'
import { watchResponse } from '../../core/watch/index.ts'
import { accountOf, authorizeKeyAccess, callerOf, requireOwner } from './access.ts'
import { type Bucket, createBucket, DIALECT, listBuckets, loadBucket, rfc3339, setComment } from './bucket.ts'
import { badRequest, jsonResponse } from './errors.ts'
import { readForm } from './form.ts'
import { type CloudkvOptions, FORM_LIMIT_BYTES } from './options.ts'
import { ConfirmSchema, ModeSchema, TtlSchema } from './schemas.ts'
import { getCounters } from './stats.ts'

const NEWLINE = new Uint8Array([0x0a])

/** 200 with an empty body, as the saved examples answer writes and deletes. */
const ok = () => new Response(null, { status: 200, headers: { 'content-length': '0' } })

/** A plain OPTIONS (without Access-Control-Request-Method; the core answers real preflights). */
const noContent = () => new Response(null, { status: 204 })

/** Every path CloudKV answers; each takes a plain OPTIONS too. */
const PATHS = [
  '/ping',
  '/buckets',
  '/buckets/:bucket',
  '/buckets/:bucket/watch',
  '/kv/:bucket',
  '/kv/:bucket/*',
]

export function declareRoutes(router: DialectRouter, context: DialectContext<CloudkvOptions>): void {
  const { engine, auth, options, log } = context
  const counters = getCounters(engine, log)
  const keyNameRule = `key name must be 1 to ${options.maxKeyBytes} bytes`

  /** The key of /kv/{bucket}/{key}: 1 to maxKeyBytes bytes (a dot segment may have emptied it). */
  function keyOf(call: Call): Uint8Array {
    const { key } = call
    if (key.length === 0 || key.length > options.maxKeyBytes) throw badRequest(keyNameRule)
    return key
  }

  async function bucketFor(call: Call, operation: 'read' | 'write'): Promise<Bucket> {
    const caller = await callerOf(auth, call.request)
    const bucket = await loadBucket(engine, call.params.bucket ?? '')
    authorizeKeyAccess(bucket, caller, operation)
    return bucket
  }

  async function ownBucket(call: Call): Promise<Bucket> {
    const account = await accountOf(auth, call.request)
    const bucket = await loadBucket(engine, call.params.bucket ?? '')
    requireOwner(bucket, account)
    return bucket
  }

  async function setKey(call: Call): Promise<Response> {
    const bucket = await bucketFor(call, 'write')
    const key = keyOf(call)
    const ttl = call.query.get('ttl')
    const ttlMs = ttl === null ? undefined : parseWith(TtlSchema, ttl, badRequest)
    const { request } = call
    const bytes = await readBody(request, options.maxValueBytes)
    await engine.put(
      bucket.id,
      key,
      { bytes, contentType: request.headers.get('content-type') },
      { ttlMs, maxKeys: options.maxKeysPerBucket || undefined },
    )
    return ok()
  }

  /** GET and HEAD (Elysia answers HEAD with the GET handler's headers and no body). */
  async function getKey(call: Call): Promise<Response> {
    const bucket = await bucketFor(call, 'read')
    const entry = await engine.get(bucket.id, keyOf(call))
    counters.count(bucket.id, entry !== null)
    if (!entry) throw new HttpError(404, 'key not found')
    const headers = new Headers({
      'content-type': entry.contentType ?? 'application/octet-stream',
      'last-modified': new Date(entry.updatedAt).toUTCString(),
    })
    if (entry.expiresAt !== null) headers.set('expires', new Date(entry.expiresAt).toUTCString())
    return new Response(entry.value as Uint8Array<ArrayBuffer>, { headers })
  }

  async function deleteKey(call: Call): Promise<Response> {
    const bucket = await bucketFor(call, 'write')
    await engine.delete(bucket.id, keyOf(call))
    return ok()
  }

  async function findKeys(call: Call): Promise<Response> {
    const bucket = await bucketFor(call, 'read')
    // Read as bytes from the query as sent, so a prefix may hold any byte (%FF) just as a key may.
    const encoded = call.encodedQuery.get('prefix')
    const prefix = encoded === undefined ? null : formComponentBytes(encoded)
    const { entries } = await engine.scan(bucket.id, {
      prefix: prefix?.length ? prefix : undefined,
      limit: options.maxFindKeys,
    })
    if (entries.length === 0) throw new HttpError(404, 'no keys found')
    const lines = entries.flatMap(({ key }, index) => (index === 0 ? [key] : [NEWLINE, key]))
    return new Response(concatBytes(...lines) as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    })
  }

  router
    .get('/ping', async ({ request }) => {
      await callerOf(auth, request)
      return jsonResponse({ message: 'pong' })
    })
    // --- Buckets ---
    .post('/buckets', async (call) => {
      const account = await accountOf(auth, call.request)
      const form = await readForm(call, FORM_LIMIT_BYTES)
      const mode = parseWith(ModeSchema, form.get('access'), badRequest)
      const max = options.maxBucketsPerAccount
      if (max > 0 && (await engine.namespaces.count({ dialect: DIALECT, owner: account })) >= max) {
        throw new HttpError(403, `bucket limit of ${max} reached`)
      }
      const bucket = await createBucket(engine, account, { mode, comment: form.get('comment') ?? null })
      return jsonResponse({ account_id: account, bucket_id: bucket.id, mode: bucket.mode }, 201)
    })
    .get('/buckets', async ({ request }) => {
      const account = await accountOf(auth, request)
      await counters.flush()
      const buckets = await listBuckets(engine, account)
      const listed = await Promise.all(
        buckets.map(async (bucket) => ({
          id: bucket.id,
          mode: bucket.mode,
          created_at: rfc3339(bucket.createdAt),
          comment: bucket.comment,
          estimated_keys: await engine.count(bucket.id),
          key_get_success: bucket.getSuccess,
          key_get_failed: bucket.getFailed,
        })),
      )
      return jsonResponse({ buckets: listed })
    })
    .patch('/buckets/:bucket', async (call) => {
      const bucket = await ownBucket(call)
      const form = await readForm(call, FORM_LIMIT_BYTES)
      if (form.has('access')) throw badRequest('access cannot be changed after creation')
      const comment = form.get('comment')
      if (comment === undefined) throw badRequest('comment is required')
      await setComment(engine, bucket.id, comment)
      return ok()
    })
    .delete('/buckets/:bucket', async (call) => {
      const bucket = await ownBucket(call)
      const confirm = parseWith(ConfirmSchema, call.query.get('confirm') ?? undefined, badRequest)
      const keys = await engine.count(bucket.id)
      if (confirm !== keys) throw badRequest(`confirm must equal the bucket's estimated_keys (${keys})`)
      await engine.namespaces.delete(bucket.id)
      return ok()
    })
    // The bucket's change feed (core/watch), read under the bucket's read rule; below /buckets, where no key lives.
    .get('/buckets/:bucket/watch', async (call) => {
      const bucket = await bucketFor(call, 'read')
      return watchResponse(engine, bucket.id, call, context.config.watch, { invalid: badRequest })
    })
    // --- Keys ---
    .get('/kv/:bucket', findKeys)
    // An empty key is the contract's `/kv/{bucket}/`, a find; a key "." or "x/.." arrives so too.
    .get('/kv/:bucket/*', (call) => (call.params['*'] ? getKey(call) : findKeys(call)))
    .post('/kv/:bucket/*', setKey)
    .put('/kv/:bucket/*', setKey)
    .delete('/kv/:bucket/*', deleteKey)
  for (const path of PATHS) router.options(path, noContent)
}
