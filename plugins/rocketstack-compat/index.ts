// The RocketStack Key/Value dialect: JSON values with versions, TTL, set-if-not-exists and
// compare-and-swap, one operator-issued API key per account, one namespace per account.

import { defineDialect } from '../../core/dialect.ts'
import { ROCKETSTACK_ERRORS } from './errors.ts'
import { rocketstackOpenApi } from './openapi.ts'
import { maxBodyBytes, RocketStackOptions } from './options.ts'
import { rocketstackRoutes } from './routes.ts'

export const rocketstackDialect = defineDialect({
  name: 'rocketstack',
  defaultPrefix: '/rocketstack',
  options: RocketStackOptions,
  accounts: { credentials: { api_key: 'full' }, namespacePerAccount: true },
  cors: {
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposeHeaders: ['ETag', 'Retry-After'],
  },
  maxBodyBytes,
  errors: ROCKETSTACK_ERRORS,
  openapi: rocketstackOpenApi,
  jsonValues: true,
  routes: rocketstackRoutes,
})
