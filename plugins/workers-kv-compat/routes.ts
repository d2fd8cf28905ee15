// The Workers KV routes under the mount's prefix (/client/v4 by default), each group in its own
// file, all on one Elysia instance so that every error answers in the v4 envelope.

import type { Dialect, DialectContext } from '../../core/dialect.ts'
import { dialectRoutes } from '../../core/dialect.ts'
import type { Mount } from '../../core/routes.ts'
import { accountRoutes } from './account-routes.ts'
import { bulkRoutes } from './bulk-routes.ts'
import { kvContext, type Routes } from './kv-context.ts'
import { namespaceRoutes } from './namespace-routes.ts'
import type { WorkersKvOptions } from './options.ts'
import { valueRoutes } from './value-routes.ts'

export function workersKvRoutes(
  dialect: Pick<Dialect, 'name' | 'renderError'>,
  context: DialectContext<WorkersKvOptions>,
  mount: Mount,
): Routes {
  const kv = kvContext(context)
  let app = dialectRoutes(dialect, mount)
  for (const group of [accountRoutes, namespaceRoutes, valueRoutes, bulkRoutes]) app = group(app, kv)
  return app
}
