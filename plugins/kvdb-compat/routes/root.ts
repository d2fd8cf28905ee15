// POST / creates a bucket from form fields and answers its id as plain text.

import { parseWith } from '../../../core/http/validate.ts'
import { createBucket } from '../bucket.ts'
import type { Methods, RootHandler } from '../context.ts'
import { badRequest, kvdbError, TEXT } from '../errors.ts'
import { readForm } from '../request.ts'
import { CreateBucketForm } from '../schemas.ts'

export const rootMethods: Methods<RootHandler> = {
  async POST(call, ctx) {
    if (!ctx.options.allowCreate) throw kvdbError(403, 'bucket creation is disabled on this server')
    const form = parseWith(CreateBucketForm, await readForm(call.request, ctx.maxFormBytes), badRequest)
    const bucket = await createBucket(ctx.engine, form, ctx.options.defaultTtl)
    return new Response(bucket.id, { headers: { 'content-type': TEXT } })
  },
}
