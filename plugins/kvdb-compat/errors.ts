// KVdb's error shape: a short text/plain message with the documented status. Engine errors,
// HttpErrors and Elysia's own errors all end here; anything unexpected is a 500 with the request id.

import { isEngineError } from '../../core/engine/errors.ts'
import { HttpError } from '../../core/http/errors.ts'
import { requestIdOf } from '../../core/http/request-context.ts'

export const TEXT = 'text/plain; charset=utf-8'

/** The messages clients see; the contract names the first five. */
export const messages = {
  bucketNotFound: 'bucket not found',
  keyNotFound: 'key not found',
  invalidTtl: 'invalid ttl',
  valueTooLarge: 'value too large',
  tooManyRequests: 'Too Many Requests',
  blocked: 'bucket policy blocked the request',
  badCredential: 'invalid key or access token',
  methodNotAllowed: 'method not allowed',
} as const

const ENGINE_STATUS: Record<string, number> = {
  not_found: 404,
  invalid: 400,
  type_mismatch: 400,
  too_large: 413,
  quota_exceeded: 413,
  conflict: 503,
  unavailable: 503,
}

export const kvdbError = (status: number, message: string) => new HttpError(status, message)

export function textResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(message, { status, headers: { 'content-type': TEXT, ...headers } })
}

export function renderKvdbError(error: unknown, request: Request): Response {
  if (error instanceof HttpError) {
    const message = error.status === 413 ? messages.valueTooLarge : error.message
    return textResponse(error.status, message)
  }
  if (isEngineError(error)) {
    const status = ENGINE_STATUS[error.code] ?? 500
    if (status === 503) return textResponse(503, 'service unavailable, try again later')
    return textResponse(status, status === 413 ? messages.valueTooLarge : error.message)
  }
  const code = (error as { code?: unknown })?.code
  if (code === 'NOT_FOUND') return textResponse(404, 'not found')
  if (code === 'PARSE' || code === 'VALIDATION') return textResponse(400, 'bad request')
  return textResponse(500, `internal error (request ${requestIdOf(request)})`)
}
