// The operator's view of any namespace's change feed: GET /admin/namespaces/:id/watch, behind the
// admin token, the same feed (core/watch) every dialect serves under its own container.

import type { WatchConfig } from '../config.ts'
import type { Engine } from '../engine/engine.ts'
import { HttpError } from '../http/errors.ts'
import type { Handler } from '../http/pipeline.ts'
import type { DialectRouter } from '../http/router.ts'
import { watchResponse } from '../watch/index.ts'

export function watchRoute(
  router: DialectRouter,
  engine: Engine,
  watch: WatchConfig,
  guarded: (handler: Handler) => Handler,
): DialectRouter {
  return router.get(
    '/namespaces/:id/watch',
    guarded(async (call) => {
      const id: unknown = call.params.id
      const ns = typeof id === 'string' ? await engine.namespaces.get(id) : null
      if (!ns) throw new HttpError(404, 'namespace not found')
      return watchResponse(engine, ns.id, call, watch, { invalid: (message) => new HttpError(400, message) })
    }),
  )
}
