// The KVdb dialect (kvdb.io): buckets with key policies, raw values, counters, listings in three
// formats, transactions, stateless access tokens and a per-IP rate limit. Routing is done here on
// the raw path, since keys are arbitrary bytes; each kind of target has its own route file.

import { type Dialect, defineDialect, dialectRoutes } from '../../core/dialect.ts'
import { clientAddress } from '../../core/http/request-context.ts'
import type { Mount } from '../../core/routes.ts'
import { loadBucket } from './bucket.ts'
import type { BucketRequest, KvdbContext, Methods } from './context.ts'
import { presentedCredential, resolvePrincipal } from './credentials.ts'
import { messages, renderKvdbError, textResponse } from './errors.ts'
import { type KvdbOptions, KvdbOptionsSchema } from './options.ts'
import { countRequest } from './rate-limit.ts'
import { Query, targetOf } from './request.ts'
import { bucketMethods, keyMethods, rootMethods, subResources } from './routes/index.ts'

/** Forms (bucket, policy, token) are small; this bounds them. */
const MAX_FORM_BYTES = 64 * 1024

export const kvdbDialect: Dialect<KvdbOptions> = defineDialect({
  name: 'kvdb',
  defaultPrefix: '/kvdb',
  options: KvdbOptionsSchema,
  // The official client runs in browsers and sends Authorization and Content-Type.
  cors: {
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['X-Ratelimit-Limit', 'X-Ratelimit-Remaining', 'X-Ratelimit-Reset', 'Retry-After'],
  },
  maxBodyBytes: (options) => Math.max(options.maxValueBytes, options.maxTxnBytes, MAX_FORM_BYTES),
  renderError: renderKvdbError,
  plugin(context, mount) {
    const { engine, options, rateLimit, config, log } = context
    const ctx: KvdbContext = {
      engine,
      options,
      log,
      maxFormBytes: MAX_FORM_BYTES,
      clientIp: (request) => clientAddress(request, config.trustedProxies),
      dialect: context,
    }
    const handle = async ({ request }: { request: Request }) => {
      let response: Response
      let headers: Record<string, string> = {}
      try {
        const counted = await countRequest(rateLimit, options, ctx.clientIp(request))
        headers = counted.headers
        response = counted.refused ?? (await dispatch(request, ctx, mount))
      } catch (error) {
        response = renderKvdbError(error, request)
      }
      if (request.method === 'HEAD') response = new Response(null, response)
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
      return response
    }
    return dialectRoutes(kvdbDialect, mount)
      .all('', handle, { parse: 'none' })
      .all('/', handle, { parse: 'none' })
      .all('/*', handle, { parse: 'none' })
  },
})

async function dispatch(request: Request, ctx: KvdbContext, mount: Mount): Promise<Response> {
  const target = targetOf(request.url, mount.prefix, subResources)
  const query = new Query(request.url)
  const method = request.method === 'HEAD' ? 'GET' : request.method
  if (target.kind === 'root') {
    const handler = rootMethods[method]
    return handler ? handler({ request, query, ctx }) : notAllowed(rootMethods)
  }
  const sub = target.kind === 'sub' ? subResources.find((each) => each.name === target.name)! : null
  const methods: Methods<any> = sub ? sub.methods : target.kind === 'key' ? keyMethods : bucketMethods
  const handler = methods[method]
  if (!handler) return notAllowed(methods)
  const bucket = await loadBucket(ctx.engine, target.bucket)
  const principal = resolvePrincipal(bucket, presentedCredential(request, query), ctx.engine.clock.now())
  const base: BucketRequest = { request, query, ctx, bucket, principal }
  if (target.kind === 'key') return handler({ ...base, key: target.key })
  if (target.kind === 'sub') return handler({ ...base, rest: target.rest })
  return handler(base)
}

function notAllowed(methods: Methods<any>): Response {
  const allowed = Object.keys(methods)
  if (allowed.includes('GET')) allowed.push('HEAD')
  return textResponse(405, messages.methodNotAllowed, { allow: allowed.join(', ') })
}
