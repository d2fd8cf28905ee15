// KVdb's error shape: a short text/plain message with the documented status. Its own errors are
// HttpErrors already; engine errors and the core's own refusals answer by the table below, and
// anything unexpected is a 500 carrying the request id.

import type { Answer, ErrorShape } from '../../core/http/error-table.ts'
import { HttpError } from '../../core/http/errors.ts'

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

export const kvdbError = (status: number, message: string) => new HttpError(status, message)

/** The 400 of input that fails its schema (for core/http/validate.ts's parseWith). */
export const badRequest = (message: string) => kvdbError(400, message)

export function textResponse(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': TEXT } })
}

const TOO_LARGE: Answer = { status: 413, message: messages.valueTooLarge }
// KVdb's writes carry no conditions, so a conflict is the store's own race (a policy changed too
// often at once, say): like an outage, it passes if the client tries again.
const TRY_AGAIN: Answer = { status: 503, message: 'service unavailable, try again later' }

export const kvdbErrors: ErrorShape = {
  table: {
    not_found: { status: 404 },
    invalid: { status: 400 },
    type_mismatch: { status: 400 },
    too_large: TOO_LARGE,
    quota_exceeded: TOO_LARGE,
    conflict: TRY_AGAIN,
    unavailable: TRY_AGAIN,
    route_not_found: { status: 404, message: 'not found' },
    method_not_allowed: { status: 405, message: messages.methodNotAllowed },
    payload_too_large: TOO_LARGE,
    malformed_body: { status: 400 },
    rate_limited: { status: 429, message: messages.tooManyRequests },
    // The error's own message: "internal error (request <id>)".
    internal: { status: 500 },
  },
  body: (error) => textResponse(error.status, error.message),
}
