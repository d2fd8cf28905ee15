// CloudKV's error shape: JSON {"message": ...} with the contract's statuses. Its own errors are
// HttpErrors already; engine errors and the core's refusals answer by the table below, and anything
// unexpected is a 500 that says nothing more (the request id travels in X-Request-ID).

import type { ErrorShape } from '../../core/http/error-table.ts'
import { HttpError } from '../../core/http/errors.ts'

export const JSON_TYPE = 'application/json; charset=utf-8'

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE } })
}

/** The 400 of input that fails its schema (for core/http/validate.ts's parseWith). */
export const badRequest = (message: string) => new HttpError(400, message)

export const cloudkvErrors: ErrorShape = {
  table: {
    // The only record a CloudKV handler can lose under its feet is the bucket (deleted meanwhile).
    not_found: { status: 404, message: 'bucket not found' },
    invalid: { status: 400 },
    type_mismatch: { status: 400 },
    // The contract's 413 for a value too large, also when the engine's own limit is the lower one.
    too_large: { status: 413 },
    conflict: { status: 409 },
    quota_exceeded: { status: 403 },
    unavailable: { status: 503, message: 'store unavailable' },
    route_not_found: { status: 404, message: 'not found' },
    method_not_allowed: { status: 405, message: 'method not allowed' },
    payload_too_large: { status: 413 },
    malformed_body: { status: 400, message: 'request not parseable' },
    rate_limited: { status: 429, message: 'too many requests' },
    internal: { status: 500, message: 'internal error' },
  },
  body: (error) => jsonResponse({ message: error.message }, error.status),
}
