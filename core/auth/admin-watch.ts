// The operator's view of any namespace's change feed: GET /admin/namespaces/:id/watch, behind the
// admin token, the same feed (core/watch) every dialect serves under its own container. It sits in
// a file of its own, beside the admin API, so the rest of /admin/namespaces can grow elsewhere.

import type { WatchConfig } from '../config.ts'
import type { Engine } from '../engine/engine.ts'
import { bearerToken } from '../http/credentials.ts'
import { HttpError } from '../http/errors.ts'
import type { RequestPipeline } from '../http/pipeline.ts'
import { DialectRouter } from '../http/router.ts'
import { watchResponse } from '../watch/index.ts'
import { constantTimeEqual } from './secrets.ts'

export function adminWatchRoute(
  pipeline: RequestPipeline,
  engine: Engine,
  watch: WatchConfig,
  adminToken: string,
): DialectRouter {
  return new DialectRouter('/admin', pipeline, 'kvgate:admin-watch', '').get(
    '/namespaces/:id/watch',
    async (call) => {
      if (!constantTimeEqual(bearerToken(call.request) ?? '', adminToken)) {
        throw new HttpError(401, 'admin token required')
      }
      const ns = await engine.namespaces.get(call.params.id ?? '')
      if (!ns) throw new HttpError(404, 'namespace not found')
      return watchResponse(engine, ns.id, call, watch, { invalid: (message) => new HttpError(400, message) })
    },
  )
}
