// The whole admin API on one router: accounts (core/auth/admin-api.ts), namespaces, keys, entries
// and stats (routes.ts), and each namespace's change feed (watch.ts), all behind the admin token.
// The server mounts it and the OpenAPI test checks it against adminOpenApi, so both see one list.

import type { Accounts } from '../auth/accounts.ts'
import { adminRoutes } from '../auth/admin-api.ts'
import type { WatchConfig } from '../config.ts'
import type { Engine } from '../engine/engine.ts'
import type { RequestPipeline } from '../http/pipeline.ts'
import type { DialectRouter } from '../http/router.ts'
import type { Metrics } from '../metrics.ts'
import { adminGuard } from './guard.ts'
import { dataRoutes } from './routes.ts'
import { watchRoute } from './watch.ts'

export interface AdminApiParts {
  adminToken: string
  engine: Engine
  accounts: Accounts
  metrics: Metrics
  watch: WatchConfig
  /** Dialects whose values are all JSON text (Dialect.jsonValues). */
  jsonDialects?: ReadonlySet<string>
}

export function adminApi(pipeline: RequestPipeline, parts: AdminApiParts): DialectRouter {
  const guarded = adminGuard(parts.adminToken)
  const router = dataRoutes(adminRoutes(pipeline, parts.accounts, parts.adminToken), { ...parts, guarded })
  return watchRoute(router, parts.engine, parts.watch, guarded)
}
