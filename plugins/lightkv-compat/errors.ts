// LightKV's envelope: {"ok": true, "data": ...} and {"ok": false, "error": {"code", "message"}},
// on every response, and the one place that turns any error into its code and status.

import { isEngineError } from '../../core/engine/errors.ts'
import { MalformedJsonError } from '../../core/http/body.ts'
import { HttpError, PayloadTooLargeError, RouteNotFoundError } from '../../core/http/errors.ts'
import { requestIdOf } from '../../core/http/request-context.ts'

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

/** A LightKV error with its documented code, and any headers it carries (Retry-After, Allow). */
export class LightKvError extends HttpError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
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

function failure(code: ErrorCode, message: string, status = STATUS[code], headers = {}): Response {
  return new Response(JSON.stringify({ ok: false, error: { code, message } }), {
    status,
    headers: { ...JSON_TYPE, ...headers },
  })
}

const ENGINE_ERRORS: Record<string, ErrorCode> = {
  not_found: 'NOT_FOUND',
  invalid: 'BAD_REQUEST',
  too_large: 'PAYLOAD_TOO_LARGE',
  type_mismatch: 'BAD_REQUEST',
  conflict: 'BAD_REQUEST',
  quota_exceeded: 'BAD_REQUEST',
}

export function renderError(error: unknown, request: Request): Response {
  if (error instanceof LightKvError)
    return failure(error.code as ErrorCode, error.message, error.status, error.headers)
  if (error instanceof PayloadTooLargeError) {
    return failure('PAYLOAD_TOO_LARGE', `Request body is larger than ${error.limit} bytes`)
  }
  if (error instanceof RouteNotFoundError) return failure('NOT_FOUND', 'Route not found')
  if (error instanceof HttpError) {
    return failure(CODE_OF_STATUS[error.status] ?? 'INTERNAL_ERROR', error.message, error.status)
  }
  if (error instanceof MalformedJsonError) return failure('BAD_REQUEST', error.message)
  if (isEngineError(error)) {
    if (error.code === 'unavailable') {
      return failure('INTERNAL_ERROR', `Store unavailable (request ${requestIdOf(request)})`, 503)
    }
    const code = ENGINE_ERRORS[error.code]
    if (code) return failure(code, error.message)
  }
  const elysiaCode = (error as { code?: unknown })?.code
  if (elysiaCode === 'NOT_FOUND') return failure('NOT_FOUND', 'Route not found')
  if (elysiaCode === 'PARSE') return failure('BAD_REQUEST', 'Request body is not valid JSON')
  return failure('INTERNAL_ERROR', `Internal error (request ${requestIdOf(request)})`)
}
