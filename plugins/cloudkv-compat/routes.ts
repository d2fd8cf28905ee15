// CloudKV's routes: ping, buckets and keys, each translating HTTP <-> Engine under the contract's
// access rules. Handlers read paths and bodies themselves (parse: 'none'), so keys stay bytes and
// values are counted as they stream in.

import type { DialectContext } from '../../core/dialect.ts'
import { dialectRoutes } from '../../core/dialect.ts'
import { concatBytes } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import { HttpError } from '../../core/http/errors.ts'
import { encodedQuery, formComponentBytes, percentDecodeBytes, rawPath } from '../../core/http/path.ts'
import type { Mount } from '../../core/routes.ts'
import { accountOf, authorizeKeyAccess, callerOf, requireOwner } from './access.ts'
import { createBucket, DIALECT, listBuckets, loadBucket, rfc3339, setComment } from './bucket.ts'
import { jsonResponse, renderError } from './errors.ts'
import { readForm } from './form.ts'
import { type CloudkvOptions, FORM_LIMIT_BYTES } from './options.ts'
import { ConfirmSchema, ModeSchema, parseInput, TtlSchema } from './schemas.ts'
import { getCounters } from './stats.ts'

const NO_PARSE = { parse: 'none' } as const
const NEWLINE = new Uint8Array([0x0a])

/** 200 with an empty body, as the saved examples answer writes and deletes. */
const ok = () => new Response(null, { status: 200, headers: { 'content-length': '0' } })

const methodNotAllowed = () => {
  throw new HttpError(405, 'method not allowed')
}

export function cloudkvRoutes(context: DialectContext<CloudkvOptions>, mount: Mount) {
  const { engine, auth, options, log } = context
  const counters = getCounters(engine, log)
  const kvPath = `${mount.prefix}/kv/`

  /** The bucket id and the key bytes of /kv/{bucket}/{key}: everything after the bucket, decoded. */
  function keyPath(request: Request): { bucketId: string; key: Uint8Array } {
    const rest = rawPath(request.url).slice(kvPath.length)
    const slash = rest.indexOf('/')
    return { bucketId: rest.slice(0, slash), key: percentDecodeBytes(rest.slice(slash + 1)) }
  }

  function checkKeyName(key: Uint8Array): void {
    if (key.length === 0 || key.length > options.maxKeyBytes) {
      throw new HttpError(400, `key name must be 1 to ${options.maxKeyBytes} bytes`)
    }
  }

  async function bucketFor(request: Request, bucketId: string, operation: 'read' | 'write') {
    const caller = await callerOf(auth, request)
    const bucket = await loadBucket(engine, bucketId)
    authorizeKeyAccess(bucket, caller, operation)
    return bucket
  }

  async function ownBucket(request: Request, bucketId: string) {
    const account = await accountOf(auth, request)
    const bucket = await loadBucket(engine, bucketId)
    requireOwner(bucket, account)
    return bucket
  }

  async function setKey(request: Request): Promise<Response> {
    const { bucketId, key } = keyPath(request)
    const bucket = await bucketFor(request, bucketId, 'write')
    checkKeyName(key)
    const ttl = new URL(request.url).searchParams.get('ttl')
    const ttlMs = ttl === null ? undefined : parseInput(TtlSchema, ttl)
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
  async function getKey(request: Request): Promise<Response> {
    const { bucketId, key } = keyPath(request)
    const bucket = await bucketFor(request, bucketId, 'read')
    checkKeyName(key)
    const entry = await engine.get(bucket.id, key)
    counters.count(bucket.id, entry !== null)
    if (!entry) throw new HttpError(404, 'key not found')
    const headers = new Headers({
      'content-type': entry.contentType ?? 'application/octet-stream',
      'last-modified': new Date(entry.updatedAt).toUTCString(),
    })
    if (entry.expiresAt !== null) headers.set('expires', new Date(entry.expiresAt).toUTCString())
    return new Response(entry.value as Uint8Array<ArrayBuffer>, { headers })
  }

  async function deleteKey(request: Request): Promise<Response> {
    const { bucketId, key } = keyPath(request)
    const bucket = await bucketFor(request, bucketId, 'write')
    checkKeyName(key)
    await engine.delete(bucket.id, key)
    return ok()
  }

  async function findKeys(request: Request, bucketId: string): Promise<Response> {
    const bucket = await bucketFor(request, bucketId, 'read')
    // Read as bytes from the raw query, so a prefix may hold any byte (%FF) just as a key may.
    const encoded = encodedQuery(request.url).get('prefix')
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

  return (
    dialectRoutes({ name: DIALECT, renderError }, mount)
      .get('/ping', async ({ request }) => {
        await callerOf(auth, request)
        return jsonResponse({ message: 'pong' })
      })
      // --- Buckets ---
      .post(
        '/buckets',
        async ({ request }) => {
          const account = await accountOf(auth, request)
          const form = await readForm(request, FORM_LIMIT_BYTES)
          const mode = parseInput(ModeSchema, form.get('access'))
          const max = options.maxBucketsPerAccount
          if (max > 0 && (await engine.namespaces.count({ dialect: DIALECT, owner: account })) >= max) {
            throw new HttpError(403, `bucket limit of ${max} reached`)
          }
          const bucket = await createBucket(engine, account, { mode, comment: form.get('comment') ?? null })
          return jsonResponse({ account_id: account, bucket_id: bucket.id, mode: bucket.mode }, 201)
        },
        NO_PARSE,
      )
      .get('/buckets', async ({ request }) => {
        const account = await accountOf(auth, request)
        await counters.flush()
        const buckets = await listBuckets(engine, account)
        const listed = await Promise.all(
          buckets.map(async (bucket) => {
            const keys = await engine.count(bucket.id)
            return {
              id: bucket.id,
              mode: bucket.mode,
              created_at: rfc3339(bucket.createdAt),
              comment: bucket.comment,
              estimated_keys: keys,
              key_get_success: bucket.getSuccess,
              key_get_failed: bucket.getFailed,
            }
          }),
        )
        return jsonResponse({ buckets: listed })
      })
      .patch(
        '/buckets/:bucket',
        async ({ request, params }) => {
          const bucket = await ownBucket(request, params.bucket)
          const form = await readForm(request, FORM_LIMIT_BYTES)
          if (form.has('access')) throw new HttpError(400, 'access cannot be changed after creation')
          const comment = form.get('comment')
          if (comment === undefined) throw new HttpError(400, 'comment is required')
          await setComment(engine, bucket.id, comment)
          return ok()
        },
        NO_PARSE,
      )
      .delete(
        '/buckets/:bucket',
        async ({ request, params }) => {
          const bucket = await ownBucket(request, params.bucket)
          const confirm = parseInput(
            ConfirmSchema,
            new URL(request.url).searchParams.get('confirm') ?? undefined,
          )
          const keys = await engine.count(bucket.id)
          if (confirm !== keys) {
            throw new HttpError(400, `confirm must equal the bucket's estimated_keys (${keys})`)
          }
          await engine.namespaces.delete(bucket.id)
          return ok()
        },
        NO_PARSE,
      )
      // --- Keys ---
      .get('/kv/:bucket', ({ request, params }) => findKeys(request, params.bucket))
      .get('/kv/:bucket/*', ({ request }) => getKey(request))
      .post('/kv/:bucket/*', ({ request }) => setKey(request), NO_PARSE)
      .put('/kv/:bucket/*', ({ request }) => setKey(request), NO_PARSE)
      .delete('/kv/:bucket/*', ({ request }) => deleteKey(request), NO_PARSE)
      // A plain OPTIONS (no Access-Control-Request-Method: the core answers real preflights).
      .options('/*', () => new Response(null, { status: 204 }))
      .all('/ping', methodNotAllowed, NO_PARSE)
      .all('/buckets', methodNotAllowed, NO_PARSE)
      .all('/buckets/:bucket', methodNotAllowed, NO_PARSE)
      .all('/kv/:bucket', methodNotAllowed, NO_PARSE)
      .all('/kv/:bucket/*', methodNotAllowed, NO_PARSE)
  )
}
