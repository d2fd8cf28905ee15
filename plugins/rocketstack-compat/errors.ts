// RocketStack's error envelope, {"error": {"code", "message"}}, and its error table: how engine
// errors and the core's own refusals answer in RocketStack's documented statuses and codes.

import { fromUtf8 } from '../../core/engine/bytes.ts'
import type { ConflictError } from '../../core/engine/errors.ts'
import type { Answer, ErrorShape } from '../../core/http/error-table.ts'
import {
  HttpError,
  type InternalError,
  type MethodNotAllowedError,
  type RouteNotFoundError,
} from '../../core/http/errors.ts'

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
export class RocketStackError extends HttpError {
  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(status, message, code, headers)
    this.name = 'RocketStackError'
  }
}

export const badRequest = (message: string) => new RocketStackError(400, 'BAD_REQUEST', message)
export const tooLarge = (message: string) => new RocketStackError(413, 'PAYLOAD_TOO_LARGE', message)
export const versionMismatch = (key: string) => `Version mismatch for key '${key}'`

// Keys are UTF-8 text by the time they reach the engine (item.ts refuses other bytes).
const keyOf = (error: ConflictError) => (error.key ? fromUtf8(error.key) : '')

/** A failed condition: 409 CONFLICT with a message naming the key. */
const conflict = (message: (key: string) => string): Answer => ({
  status: 409,
  code: 'CONFLICT',
  message: (error: ConflictError) => message(keyOf(error)),
})

const noRoute = (error: RouteNotFoundError) => `No route for ${error.path}`
const notAllowed = (error: MethodNotAllowedError) => `Method not allowed; use ${error.allow.join(', ')}`
// The request id is also in X-Request-ID; the message carries it for clients that show only the body.
const internal = (error: InternalError) => `Internal error (request id ${error.requestId})`

export const ROCKETSTACK_ERRORS: ErrorShape = {
  table: {
    not_found: { status: 404, code: 'NOT_FOUND' },
    conflict: { status: 409, code: 'CONFLICT', message: 'Conflict' },
    'conflict:exists': conflict((key) => `Key '${key}' already exists`),
    'conflict:missing': conflict((key) => `Key '${key}' does not exist`),
    'conflict:version': conflict(versionMismatch),
    too_large: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    invalid: { status: 400, code: 'BAD_REQUEST' },
    type_mismatch: { status: 400, code: 'BAD_REQUEST' },
    quota_exceeded: { status: 403, code: 'QUOTA_EXCEEDED' },
    unavailable: { status: 503, code: 'INTERNAL', message: 'Store unavailable, retry later' },
    route_not_found: { status: 404, code: 'NOT_FOUND', message: noRoute },
    method_not_allowed: { status: 405, code: 'METHOD_NOT_ALLOWED', message: notAllowed },
    payload_too_large: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    malformed_body: { status: 400, code: 'BAD_REQUEST' },
    rate_limited: { status: 429, code: 'RATE_LIMITED', message: 'Rate limit exceeded' },
    internal: { status: 500, code: 'INTERNAL', message: internal },
  },
  // Every answer has its code: RocketStackErrors carry theirs, and every table entry names one.
  body: (error) =>
    Response.json({ error: { code: error.code, message: error.message } }, { status: error.status }),
}
