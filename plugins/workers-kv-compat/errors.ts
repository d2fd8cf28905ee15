// The one place that turns anything thrown under /client/v4 into the Cloudflare v4 error envelope:
// {success: false, errors: [{code, message}], messages: [], result: null}. Conflicts answer 400,
// never 409, because the SDK retries a 409.

import { isEngineError } from '../../core/engine/errors.ts'
import { MalformedJsonError } from '../../core/http/body.ts'
import { HttpError, PayloadTooLargeError, RouteNotFoundError } from '../../core/http/errors.ts'
import { requestIdOf } from '../../core/http/request-context.ts'
import { isKnownPath } from './paths.ts'

export interface ErrorDetail {
  code: number
  message: string
  error_chain?: Array<{ code: number; message: string }>
}

/** An error with its Cloudflare code, status and message. */
export class CfError extends HttpError {
  constructor(
    status: number,
    readonly cfCode: number,
    message: string,
    readonly chain?: Array<{ code: number; message: string }>,
  ) {
    super(status, message, cfCode)
    this.name = 'CfError'
  }
}

/** kvgate's code for validation and size errors; production codes for these are unknown. */
export const VALIDATION = 10001

export const keyNotFound = () => new CfError(404, 10009, "get: 'key not found'")
export const namespaceNotFound = () => new CfError(404, 10013, 'namespace not found')
export const duplicateTitle = () =>
  new CfError(400, 10014, 'a namespace with this account ID and title already exists')
export const authenticationError = (status: 401 | 403) => new CfError(status, 10000, 'Authentication error')
export const invalid = (message: string, status = 400) => new CfError(status, VALIDATION, message)

export function envelopeError(status: number, errors: ErrorDetail[], messages: unknown[] = []): Response {
  return Response.json({ success: false, errors, messages, result: null }, { status })
}

export function renderError(error: unknown, request: Request): Response {
  if (error instanceof CfError) {
    const detail: ErrorDetail = { code: error.cfCode, message: error.message }
    if (error.chain) detail.error_chain = error.chain
    return envelopeError(error.status, [detail])
  }
  if (error instanceof RouteNotFoundError) {
    const path = relativePath(error.path)
    if (isKnownPath(path)) return envelopeError(405, [{ code: 7001, message: 'Method not allowed' }])
    return envelopeError(404, [{ code: 7003, message: `Could not route to ${path}` }])
  }
  if (error instanceof PayloadTooLargeError) {
    return envelopeError(413, [
      { code: VALIDATION, message: `Request body exceeds the limit of ${error.limit} bytes.` },
    ])
  }
  if (error instanceof HttpError) {
    return envelopeError(error.status, [
      { code: typeof error.code === 'number' ? error.code : VALIDATION, message: error.message },
    ])
  }
  if (error instanceof MalformedJsonError) {
    return envelopeError(400, [{ code: VALIDATION, message: 'Malformed JSON in request body' }])
  }
  if (isEngineError(error)) {
    switch (error.code) {
      case 'not_found':
        return renderError(namespaceNotFound(), request)
      case 'conflict':
        return renderError(
          error.message === 'title taken' ? duplicateTitle() : invalid(error.message),
          request,
        )
      case 'too_large':
        return envelopeError(413, [{ code: VALIDATION, message: error.message }])
      case 'invalid':
      case 'type_mismatch':
      case 'quota_exceeded':
        return envelopeError(400, [{ code: VALIDATION, message: error.message }])
      case 'unavailable':
        return envelopeError(503, [{ code: 10002, message: 'service unavailable' }])
    }
  }
  const code = (error as { code?: unknown })?.code
  if (code === 'PARSE') return envelopeError(400, [{ code: VALIDATION, message: 'Malformed request body' }])
  if (code === 'NOT_FOUND') return renderError(new RouteNotFoundError(new URL(request.url).pathname), request)
  return envelopeError(
    500,
    [{ code: 10002, message: 'internal error' }],
    [{ code: 10002, message: `request id ${requestIdOf(request)}` }],
  )
}

/** The path as the client named it after its base URL (…/client/v4), as upstream's 7003 message shows it. */
function relativePath(path: string): string {
  const base = path.indexOf('/client/v4/')
  return base === -1 ? path : path.slice(base + '/client/v4'.length)
}
