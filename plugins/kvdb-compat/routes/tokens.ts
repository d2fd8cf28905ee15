// POST /{bucket}/tokens/ mints a stateless access token signed with the bucket's signing_key.

import { parseWith } from '../../../core/http/validate.ts'
import { authorize } from '../access.ts'
import type { BucketHandler, Methods } from '../context.ts'
import { badRequest, kvdbError } from '../errors.ts'
import { readForm } from '../request.ts'
import { TokenForm } from '../schemas.ts'
import { mintAccessToken } from '../tokens.ts'

export const tokenMethods: Methods<BucketHandler> = {
  async POST({ call, bucket, principal, ctx }) {
    authorize('mintToken', bucket, principal)
    const signingKey = bucket.settings.signingKey
    if (!signingKey) throw kvdbError(400, 'the bucket has no signing_key')
    const form = parseWith(TokenForm, await readForm(call.request, ctx.maxFormBytes), badRequest)
    const ttlSeconds = form.ttl ?? ctx.options.defaultTokenTtl
    if (ttlSeconds > ctx.options.maxTokenTtl) throw kvdbError(400, 'invalid ttl')
    const token = mintAccessToken(
      bucket,
      signingKey,
      { prefix: form.prefix, permissions: form.permissions, ttlSeconds },
      ctx.engine.clock.now(),
    )
    // Always JSON, whatever Accept says: the official client reads access_token from it.
    return Response.json({ access_token: token })
  },
}
