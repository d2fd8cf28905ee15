// POST / creates a bucket from form fields and answers its id as plain text.

import { createBucket } from '../bucket.ts'
import type { Methods, RootRequest } from '../context.ts'
import { kvdbError, TEXT } from '../errors.ts'
import { readForm } from '../request.ts'
import { CreateBucketForm, parseOr400 } from '../schemas.ts'

export const rootMethods: Methods<RootRequest> = {
  async POST({ request, ctx }) {
    if (!ctx.options.allowCreate) throw kvdbError(403, 'bucket creation is disabled on this server')
    const form = parseOr400(CreateBucketForm, await readForm(request, ctx.maxFormBytes))
    const bucket = await createBucket(ctx.engine, form, ctx.options.defaultTtl)
    return new Response(bucket.id, { headers: { 'content-type': TEXT } })
  },
}
