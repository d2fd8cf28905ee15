// The Cloudflare v4 error envelope, {success: false, errors: [{code, message}], messages: [],
// result: null}, and the table that gives engine and core errors their code and status here.
// Conflicts answer 400, never 409, because the SDK retries a 409.

import type { ErrorShape } from '../../core/http/error-table.ts'
import { HttpError, type PayloadTooLargeError, type RouteNotFoundError } from '../../core/http/errors.ts'

export interface ErrorDetail {
  code: number
  message: string
  error_chain?: Array<{ code: number; message: string }>
}

/** An error with its Cloudflare code, status and message. */
export class CfError extends HttpError {
  constructor(
    status: number,
    cfCode: number,
    message: string,
    readonly chain?: Array<{ code: number; message: string }>,
  ) {
    super(status, message, cfCode)
    this.name = 'CfError'
  }
}

/** kvgate's code for validation and size errors; production codes for these are unknown. */
export const VALIDATION = 10001
const INTERNAL = 10002

export const keyNotFound = () => new CfError(404, 10009, "get: 'key not found'")
export const namespaceNotFound = () => new CfError(404, 10013, 'namespace not found')
export const authenticationError = (status: 401 | 403) => new CfError(status, 10000, 'Authentication error')
export const invalid = (message: string, status = 400) => new CfError(status, VALIDATION, message)

export const workersKvErrors: ErrorShape = {
  table: {
    not_found: { status: 404, code: 10013, message: 'namespace not found' },
    conflict: { status: 400, code: VALIDATION },
    'conflict:title-taken': {
      status: 400,
      code: 10014,
      message: 'a namespace with this account ID and title already exists',
    },
    too_large: { status: 413, code: VALIDATION },
    invalid: { status: 400, code: VALIDATION },
    type_mismatch: { status: 400, code: VALIDATION },
    quota_exceeded: { status: 400, code: VALIDATION },
    unavailable: { status: 503, code: INTERNAL, message: 'service unavailable' },
    route_not_found: {
      status: 404,
      code: 7003,
      message: (error: RouteNotFoundError) => `Could not route to ${error.path}`,
    },
    method_not_allowed: { status: 405, code: 7001, message: 'Method not allowed' },
    payload_too_large: {
      status: 413,
      code: VALIDATION,
      message: (error: PayloadTooLargeError) => `Request body exceeds the limit of ${error.limit} bytes.`,
    },
    malformed_body: { status: 400, code: VALIDATION, message: 'Malformed JSON in request body' },
    rate_limited: {
      status: 429,
      code: 971,
      message: 'Please wait and consider throttling your request speed',
    },
    internal: { status: 500, code: INTERNAL, message: 'internal error' },
  },
  body(error, requestId) {
    const detail: ErrorDetail = {
      code: typeof error.code === 'number' ? error.code : VALIDATION,
      message: error.message,
    }
    if (error instanceof CfError && error.chain) detail.error_chain = error.chain
    const messages = error.status === 500 ? [{ code: INTERNAL, message: `request id ${requestId}` }] : []
    return Response.json(
      { success: false, errors: [detail], messages, result: null },
      { status: error.status },
    )
  },
}
