// The KVdb dialect (kvdb.io): buckets with key policies, raw values, counters, listings in three
// formats, transactions, stateless access tokens, bucket scripts and a per-IP rate limit. Its
// routes are in routes/, one file per kind of path.

import { type Dialect, defineDialect } from '../../core/dialect.ts'
import { kvdbErrors } from './errors.ts'
import { kvdbOpenApi } from './openapi.ts'
import { type KvdbOptions, KvdbOptionsSchema } from './options.ts'
import { declareRoutes } from './routes/index.ts'

/** Forms (bucket, policy, token) and script run bodies are small; this bounds them. */
const MAX_FORM_BYTES = 64 * 1024

export const kvdbDialect: Dialect<KvdbOptions> = defineDialect({
  name: 'kvdb',
  defaultPrefix: '/kvdb',
  options: KvdbOptionsSchema,
  // scripts.ts keeps a bucket's scripts in "<bucket>-scripts".
  sideKeyspaces: ['scripts'],
  // The official client runs in browsers and sends Authorization and Content-Type.
  cors: {
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['X-Ratelimit-Limit', 'X-Ratelimit-Remaining', 'X-Ratelimit-Reset', 'Retry-After'],
  },
  maxBodyBytes: (options) => Math.max(options.maxValueBytes, options.maxTxnBytes, MAX_FORM_BYTES),
  errors: kvdbErrors,
  openapi: kvdbOpenApi,
  routes(router, { engine, options, rateLimit, scripting, config }) {
    declareRoutes(router, {
      engine,
      options,
      rateLimit,
      scripting,
      trustedProxies: config.trustedProxies,
      watch: config.watch,
      maxFormBytes: MAX_FORM_BYTES,
    })
  },
})
