// The Workers KV routes under the mount's prefix (/client/v4 by default), each group in its own file.

import type { DialectContext } from '../../core/dialect.ts'
import type { DialectRouter } from '../../core/http/router.ts'
import { accountRoutes } from './account-routes.ts'
import { bulkRoutes } from './bulk-routes.ts'
import { kvContext } from './kv-context.ts'
import { namespaceRoutes } from './namespace-routes.ts'
import type { WorkersKvOptions } from './options.ts'
import { valueRoutes } from './value-routes.ts'

export function workersKvRoutes(router: DialectRouter, context: DialectContext<WorkersKvOptions>): void {
  const kv = kvContext(context)
  for (const group of [accountRoutes, namespaceRoutes, valueRoutes, bulkRoutes]) group(router, kv)
}
