// CloudKV's error answer: JSON {"message": ...} with the contract's statuses, for engine errors,
// HttpErrors, Elysia's own errors and anything unexpected (a 500 that leaks nothing).

import { isEngineError } from '../../core/engine/errors.ts'
import { HttpError, RouteNotFoundError } from '../../core/http/errors.ts'

const ENGINE_STATUS: Record<string, number> = {
  not_found: 404,
  invalid: 400,
  too_large: 413,
  conflict: 409,
  type_mismatch: 400,
  quota_exceeded: 403,
  unavailable: 503,
}

const ELYSIA_STATUS: Record<string, [number, string]> = {
  NOT_FOUND: [404, 'not found'],
  PARSE: [400, 'request not parseable'],
  VALIDATION: [400, 'invalid request'],
}

export const JSON_TYPE = 'application/json; charset=utf-8'

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE } })
}

export const message = (status: number, text: string) => jsonResponse({ message: text }, status)

export function renderError(error: unknown, _request: Request): Response {
  if (error instanceof RouteNotFoundError) return message(404, 'not found')
  if (error instanceof HttpError) return message(error.status, error.message)
  if (isEngineError(error)) {
    const status = ENGINE_STATUS[error.code] ?? 500
    return message(status, status === 503 ? 'store unavailable' : error.message)
  }
  const known = ELYSIA_STATUS[(error as { code?: string })?.code ?? '']
  if (known) return message(...known)
  // The request id travels in X-Request-ID; the log holds the details.
  return message(500, 'internal error')
}
