// The admin token check every /admin route makes (the console's files aside): a request without
// `Authorization: Bearer $KVGATE_ADMIN_TOKEN` is refused with 401 before its handler runs.

import { constantTimeEqual } from '../auth/secrets.ts'
import type { Call } from '../http/call.ts'
import { bearerToken } from '../http/credentials.ts'
import { HttpError } from '../http/errors.ts'
import type { Handler } from '../http/pipeline.ts'

export function adminGuard(adminToken: string): (handler: Handler) => Handler {
  return (handler) => (call: Call) => {
    if (!constantTimeEqual(bearerToken(call.request) ?? '', adminToken)) {
      throw new HttpError(401, 'admin token required')
    }
    return handler(call)
  }
}
