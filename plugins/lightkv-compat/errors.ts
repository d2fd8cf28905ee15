// LightKV's envelope: {"ok": true, "data": ...} and {"ok": false, "error": {"code", "message"}},
// on every response, and its error table: which code, status and message each engine error and
// each of the core's refusals answers with.

import { fromUtf8 } from '../../core/engine/bytes.ts'
import type { NotFoundError } from '../../core/engine/errors.ts'
import type { ErrorShape } from '../../core/http/error-table.ts'
import { HttpError, type MethodNotAllowedError, type PayloadTooLargeError } from '../../core/http/errors.ts'

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
}

const CODE_OF_STATUS: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(STATUS).map(([code, status]) => [status, code as ErrorCode]),
)

/** A LightKV error with its documented code. */
export class LightKvError extends HttpError {
  constructor(code: ErrorCode, message: string) {
    super(STATUS[code], message, code)
  }
}

const JSON_TYPE = { 'content-type': 'application/json' }

/** A success answer whose data is already JSON text (values keep the text the client sent). */
export function okText(dataJson: string): Response {
  return new Response(`{"ok":true,"data":${dataJson}}`, { headers: JSON_TYPE })
}

export function ok(data: unknown): Response {
  return okText(JSON.stringify(data))
}

const badRequest = { status: 400, code: 'BAD_REQUEST' } as const

export const LIGHTKV_ERRORS: ErrorShape = {
  table: {
    // The engine names the key of a missing list (items are looked up, never thrown for).
    not_found: {
      status: 404,
      code: 'NOT_FOUND',
      message: (error: NotFoundError) =>
        error.key ? `List '${fromUtf8(error.key)}' not found` : error.message,
    },
    invalid: badRequest,
    conflict: badRequest,
    type_mismatch: badRequest,
    quota_exceeded: badRequest,
    too_large: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    unavailable: { status: 503, code: 'INTERNAL_ERROR', message: 'Store unavailable' },
    route_not_found: { status: 404, code: 'NOT_FOUND', message: 'Route not found' },
    method_not_allowed: {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: (error: MethodNotAllowedError) => `Use ${error.allow.join(', ')} for ${error.path}`,
    },
    payload_too_large: {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: (error: PayloadTooLargeError) => `Request body is larger than ${error.limit} bytes`,
    },
    malformed_body: badRequest,
    rate_limited: { status: 429, code: 'RATE_LIMITED', message: 'Rate limit exceeded' },
    internal: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal error' },
  },
  body(error, requestId) {
    const code = error.code ?? CODE_OF_STATUS[error.status] ?? 'INTERNAL_ERROR'
    // A 5xx names the request, so the operator can find it in the log.
    const message = error.status >= 500 ? `${error.message} (request ${requestId})` : error.message
    return new Response(JSON.stringify({ ok: false, error: { code, message } }), {
      status: error.status,
      headers: JSON_TYPE,
    })
  },
}
