// LightKV (lightkv.com): items and lists with set semantics, behind per-app read and read-write
// tokens that the operator issues. Contract: shared/dialects/lightkv.md; choices in README.md.

import { type Dialect, defineDialect } from '../../core/dialect.ts'
import { APP_ACCOUNTS } from './auth.ts'
import { LIGHTKV_ERRORS } from './errors.ts'
import { lightkvOpenApi } from './openapi.ts'
import { LightKvOptions } from './options.ts'
import { lightKvRoutes } from './routes.ts'

export const lightkvDialect: Dialect<LightKvOptions> = defineDialect({
  name: 'lightkv',
  defaultPrefix: '/lightkv',
  options: LightKvOptions,
  accounts: APP_ACCOUNTS,
  cors: { allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: ['Retry-After'] },
  maxBodyBytes: (options) => options.maxBodyBytes,
  errors: LIGHTKV_ERRORS,
  openapi: lightkvOpenApi,
  jsonValues: true,
  routes: lightKvRoutes,
})
