// RocketStack's error envelope, {"error": {"code", "message"}}, and the one place where engine
// errors, core HTTP errors and Elysia's own errors become RocketStack's documented statuses.

import { isEngineError } from '../../core/engine/errors.ts'
import { HttpError, PayloadTooLargeError, RouteNotFoundError } from '../../core/http/errors.ts'
import { requestIdOf } from '../../core/http/request-context.ts'

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'QUOTA_EXCEEDED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL'

/** An answer in RocketStack's error shape, thrown by the routes. */
export class RocketStackError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'RocketStackError'
  }
}

export const badRequest = (message: string) => new RocketStackError(400, 'BAD_REQUEST', message)
export const conflict = (message: string) => new RocketStackError(409, 'CONFLICT', message)
export const tooLarge = (message: string) => new RocketStackError(413, 'PAYLOAD_TOO_LARGE', message)

const ENGINE: Record<string, [number, ErrorCode]> = {
  not_found: [404, 'NOT_FOUND'],
  conflict: [409, 'CONFLICT'],
  too_large: [413, 'PAYLOAD_TOO_LARGE'],
  invalid: [400, 'BAD_REQUEST'],
  type_mismatch: [400, 'BAD_REQUEST'],
  quota_exceeded: [403, 'QUOTA_EXCEEDED'],
  unavailable: [503, 'INTERNAL'],
}

const ELYSIA: Record<string, [number, ErrorCode]> = {
  PARSE: [400, 'BAD_REQUEST'],
  VALIDATION: [400, 'BAD_REQUEST'],
  NOT_FOUND: [404, 'NOT_FOUND'],
}

export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json({ error: { code, message } }, { status, headers })
}

export function renderError(error: unknown, request: Request): Response {
  if (error instanceof RocketStackError)
    return errorResponse(error.status, error.code, error.message, error.headers)
  if (error instanceof PayloadTooLargeError) return errorResponse(413, 'PAYLOAD_TOO_LARGE', error.message)
  if (error instanceof RouteNotFoundError)
    return errorResponse(404, 'NOT_FOUND', `No route for ${error.path}`)
  if (error instanceof HttpError) {
    const code = error.status === 401 ? 'UNAUTHORIZED' : error.status < 500 ? 'BAD_REQUEST' : 'INTERNAL'
    return errorResponse(error.status, code, error.message)
  }
  if (isEngineError(error)) {
    const [status, code] = ENGINE[error.code] ?? [500, 'INTERNAL']
    return errorResponse(status, code, status === 503 ? 'Store unavailable, retry later' : error.message)
  }
  const elysia = ELYSIA[String((error as { code?: unknown })?.code)]
  if (elysia)
    return errorResponse(elysia[0], elysia[1], elysia[1] === 'NOT_FOUND' ? 'Not found' : 'Bad request')
  return errorResponse(500, 'INTERNAL', `Internal error (request id ${requestIdOf(request)})`)
}
