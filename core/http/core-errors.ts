// The core's own error answers (health, metrics, the admin API, paths under no dialect):
// {"error": message}, and on a 500 the request id too.

import type { ErrorShape } from './error-table.ts'

export const CORE_ERRORS: ErrorShape = {
  table: {
    not_found: { status: 404 },
    conflict: { status: 409 },
    too_large: { status: 413 },
    invalid: { status: 400 },
    type_mismatch: { status: 400 },
    quota_exceeded: { status: 403 },
    unavailable: { status: 503 },
    route_not_found: { status: 404, message: 'not found' },
    method_not_allowed: { status: 405, message: 'method not allowed' },
    payload_too_large: { status: 413 },
    malformed_body: { status: 400 },
    rate_limited: { status: 429 },
    internal: { status: 500, message: 'internal error' },
  },
  body: (error, requestId) =>
    Response.json(
      error.status === 500 ? { error: error.message, request_id: requestId } : { error: error.message },
      { status: error.status },
    ),
}
