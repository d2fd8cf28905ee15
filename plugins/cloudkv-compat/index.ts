// The CloudKV dialect (api.cloudkv.io): account api-keys from the operator, buckets in three access
// modes, raw values with ttl, prefix find. Contract: shared/dialects/cloudkv.md; see README.md.

import { defineDialect } from '../../core/dialect.ts'
import { DIALECT } from './bucket.ts'
import { cloudkvErrors } from './errors.ts'
import { cloudkvOpenApi } from './openapi.ts'
import { CloudkvOptions, FORM_LIMIT_BYTES } from './options.ts'
import { declareRoutes } from './routes.ts'

export const cloudkvDialect = defineDialect({
  name: DIALECT,
  defaultPrefix: '/cloudkv',
  options: CloudkvOptions,
  accounts: { credentials: { api_key: 'owner' } },
  cors: {
    allowHeaders: ['api-key', 'Content-Type'],
    // The core adds X-Request-ID.
    exposeHeaders: ['Last-Modified', 'Expires', 'Content-Length'],
  },
  maxBodyBytes: (options) => Math.max(options.maxValueBytes, FORM_LIMIT_BYTES),
  errors: cloudkvErrors,
  openapi: cloudkvOpenApi,
  routes: declareRoutes,
})
