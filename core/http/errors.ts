// Errors that know their HTTP status. A dialect's own errors (Workers KV's 10009, LightKV's
// NOT_FOUND) extend HttpError with their final status, code and message; the core's own errors
// below carry a `kind` instead, which each dialect's error table turns into its own answer.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A dialect-specific code (Workers KV's 10009, LightKV's "NOT_FOUND"), when its shape needs one. */
    readonly code?: string | number,
    /** Headers the answer carries (Retry-After, Allow, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** What the core itself refuses, before or around a dialect's handler. */
export type CoreErrorKind =
  | 'route_not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'malformed_body'
  | 'rate_limited'
  | 'internal'

/** An error raised by the core; a dialect's error table decides how it answers. */
export abstract class CoreError extends HttpError {
  abstract readonly kind: CoreErrorKind
}

export class PayloadTooLargeError extends CoreError {
  readonly kind = 'payload_too_large'
  constructor(readonly limit: number) {
    super(413, `request body is larger than ${limit} bytes`)
  }
}

/** No route matched; `path` is the path after the dialect's mount prefix. */
export class RouteNotFoundError extends CoreError {
  readonly kind = 'route_not_found'
  constructor(readonly path: string) {
    super(404, `no route for ${path}`)
  }
}

/** The path is a route of the dialect, but not for this method. */
export class MethodNotAllowedError extends CoreError {
  readonly kind = 'method_not_allowed'
  constructor(
    readonly path: string,
    readonly allow: string[],
  ) {
    super(405, `method not allowed; use ${allow.join(', ')}`, undefined, { allow: allow.join(', ') })
  }
}

/** A body that should be JSON (or a form) and is not. */
export class MalformedBodyError extends CoreError {
  readonly kind = 'malformed_body'
  constructor(message: string) {
    super(400, message)
  }
}

export class RateLimitedError extends CoreError {
  readonly kind = 'rate_limited'
  constructor(
    readonly retryAfter: number,
    headers: Record<string, string> = {},
  ) {
    super(429, 'rate limit exceeded', undefined, { 'retry-after': String(retryAfter), ...headers })
  }
}

/** Anything unexpected: answered as a 500 that carries the request id and nothing else. */
export class InternalError extends CoreError {
  readonly kind = 'internal'
  constructor(readonly requestId: string) {
    super(500, `internal error (request ${requestId})`)
  }
}
