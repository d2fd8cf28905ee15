// Every KVdb route, declared on the core's router. A key is the raw rest of the path after
// /{bucket}/ (so it may hold ":" and "/"), and Elysia prefers a static path to the key route only
// for a method both have: each path below therefore takes every method the key route takes, and
// refuses with 405 (and its own Allow) those it lacks, so that `GET /{b}/tokens` is not read as the
// key "tokens". The refusals count against the rate limit like any other KVdb request.

import { MethodNotAllowedError } from '../../../core/http/errors.ts'
import type { Handler } from '../../../core/http/pipeline.ts'
import type { DialectRouter } from '../../../core/http/router.ts'
import { loadBucket } from '../bucket.ts'
import type { BucketHandler, KvdbContext, Method, Methods, RootHandler } from '../context.ts'
import { presentedCredential, resolvePrincipal } from '../credentials.ts'
import { countRequest } from '../rate-limit.ts'
import { bucketMethods } from './bucket.ts'
import { keyMethods } from './keys.ts'
import { rootMethods } from './root.ts'
import { scriptListMethods, scriptMethods } from './scripts.ts'
import { tokenMethods } from './tokens.ts'

// OPTIONS too: a plain OPTIONS (not a CORS preflight, which the core answers) counts and is a 405.
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

export function declareRoutes(router: DialectRouter, ctx: KvdbContext): void {
  const counting = ctx.options.rateLimit > 0
  const declare = <H>(path: string, methods: Methods<H>, wrap: (handler: H) => Handler) => {
    const allow = Object.keys(methods)
    if (methods.GET) allow.splice(allow.indexOf('GET') + 1, 0, 'HEAD')
    const refuse: Handler = async (call) => {
      if (counting) await countRequest(ctx, call)
      throw new MethodNotAllowedError(path, allow)
    }
    for (const method of METHODS) {
      const handler = methods[method as Method]
      router.route(method, path, handler ? wrap(handler) : refuse)
    }
  }
  const atRoot =
    (handler: RootHandler): Handler =>
    async (call) => {
      if (counting) await countRequest(ctx, call)
      return handler(call, ctx)
    }
  const inBucket =
    (handler: BucketHandler): Handler =>
    async (call) => {
      if (counting) await countRequest(ctx, call)
      const bucket = await loadBucket(ctx.engine, call.params.bucket ?? '')
      const principal = resolvePrincipal(bucket, presentedCredential(call), ctx.engine.clock.now())
      return handler({ call, ctx, bucket, principal })
    }

  // Bucket creation answers on the prefix with and without its slash.
  declare('', rootMethods, atRoot)
  declare('/', rootMethods, atRoot)
  declare('/:bucket', bucketMethods, inBucket)
  // "/{b}/" is also where a key "." or ".." arrives once the URL parser has resolved it ("/{b}/x/.."
  // is "/{b}/"), so it only lists (the official client lists there): a key request must never
  // update, transact on or delete its bucket.
  declare('/:bucket/', { GET: bucketMethods.GET }, inBucket)
  for (const path of ['/:bucket/tokens', '/:bucket/tokens/']) declare(path, tokenMethods, inBucket)
  for (const path of ['/:bucket/scripts', '/:bucket/scripts/']) declare(path, scriptListMethods, inBucket)
  declare('/:bucket/scripts/*', scriptMethods, inBucket)
  declare('/:bucket/*', keyMethods, inBucket)
}
