// Errors that know their HTTP status: thrown by dialects for what is not an engine matter
// (authentication, permissions, malformed requests), rendered by that dialect's errors.ts.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A dialect-specific code (Workers KV's 10009, LightKV's "NOT_FOUND"), when its shape needs one. */
    readonly code?: string | number,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(readonly limit: number) {
    super(413, `request body is larger than ${limit} bytes`)
  }
}

/** No route matched under a dialect's prefix. */
export class RouteNotFoundError extends HttpError {
  constructor(readonly path: string) {
    super(404, `no route for ${path}`)
  }
}
