// The Cloudflare Workers KV REST API (v4) dialect: the official `cloudflare` SDK and wrangler,
// pointed at http://HOST:8787/client/v4, work against kvgate unchanged.

import { type Dialect, defineDialect } from '../../core/dialect.ts'
import { workersKvErrors } from './errors.ts'
import { workersKvOpenApi } from './openapi.ts'
import { WorkersKvOptions } from './options.ts'
import { workersKvRoutes } from './routes.ts'

export const workersKvDialect: Dialect<WorkersKvOptions> = defineDialect({
  name: 'workers-kv',
  defaultPrefix: '/client/v4',
  options: WorkersKvOptions,
  accounts: { credentials: { api_token: 'full' } },
  cors: {
    allowHeaders: ['Authorization', 'Content-Type', 'X-Auth-Email', 'X-Auth-Key'],
    exposeHeaders: ['Expiration'],
  },
  // Bulk writes are the largest bodies; a value write checks its own, smaller limit.
  maxBodyBytes: (options) => Math.max(options.maxBulkBytes, options.maxValueBytes + 128 * 1024),
  errors: workersKvErrors,
  openapi: workersKvOpenApi,
  routes: workersKvRoutes,
})
