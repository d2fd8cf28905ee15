// What every request under one mount goes through, written once and wrapped around each route's
// handler where the route is registered (no Elysia lifecycle hook runs on the hot path): the body
// limit, the handler, error rendering in the dialect's shape, and on the way out the request id,
// CORS headers, metrics and the access log.

import { isEngineError } from '../engine/errors.ts'
import type { Logger } from '../log.ts'
import type { Metrics } from '../metrics.ts'
import { Call, type PeerSource } from './call.ts'
import { type ErrorShape, toHttpError } from './error-table.ts'
import { HttpError, PayloadTooLargeError } from './errors.ts'

export interface CorsPolicy {
  /** Request headers a browser may send (beyond the CORS-safelisted ones). */
  allowHeaders: string[]
  /** Response headers a browser may read. */
  exposeHeaders: string[]
}

export type Handler = (call: Call) => Response | Promise<Response>

/** The handler Elysia calls: it names what it reads, so Elysia parses nothing else. */
export type ElysiaHandler = (context: {
  request: Request
  params: Record<string, string | undefined> | undefined
  server: PeerSource | null
}) => Response | Promise<Response>

export interface PipelineOptions {
  /** The dialect's name, or "core", for metrics and logs. */
  name: string
  errors: ErrorShape
  cors: CorsPolicy
  /** The largest body any route of this mount reads; a larger declared length is refused unread. */
  maxBodyBytes: number
  metrics: Metrics
  log: Logger
}

const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
const NO_PARAMS: Record<string, string | undefined> = Object.freeze({})

export class RequestPipeline {
  private readonly exposeHeaders: string | null
  private readonly logsRequests: boolean

  constructor(private readonly options: PipelineOptions) {
    const { exposeHeaders } = options.cors
    this.exposeHeaders = exposeHeaders.length > 0 ? [...exposeHeaders, 'X-Request-ID'].join(', ') : null
    this.logsRequests = options.log.enabled('info')
  }

  get name(): string {
    return this.options.name
  }

  /** Wraps a route's handler; `route` is its full pattern, as metrics label it. */
  wrap(route: string, handler: Handler): ElysiaHandler {
    return ({ request, params, server }) => {
      // Elysia gives static routes no params at all.
      const call = new Call(request, params ?? NO_PARAMS, server)
      try {
        if (this.declaresTooLarge(request)) throw new PayloadTooLargeError(this.options.maxBodyBytes)
        if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
          return this.finish(this.preflight(), call, route)
        }
        const result = handler(call)
        if (result instanceof Promise) {
          return result.then(
            (response) => this.finish(response, call, route),
            (error) => this.fail(error, call, route),
          )
        }
        return this.finish(result, call, route)
      } catch (error) {
        return this.fail(error, call, route)
      }
    }
  }

  /** Answers an error in the dialect's shape, counting and logging what the operator should see. */
  fail(error: unknown, call: Call, route: string): Response {
    if (isEngineError(error)) {
      this.options.metrics.engineError(error.code)
      if (error.code === 'unavailable')
        this.options.log.warn('store unavailable', { id: call.id, error: error.message })
    } else if (!(error instanceof HttpError)) {
      this.options.metrics.engineError('internal')
      this.options.log.error('internal error', { id: call.id, error })
    }
    const answer = toHttpError(this.options.errors.table, error, call.id)
    const response = this.options.errors.body(answer, call.id)
    for (const [name, value] of Object.entries(answer.headers)) response.headers.set(name, value)
    return this.finish(response, call, route)
  }

  /** A CORS preflight: allowed without credentials, on every path. */
  preflight(): Response {
    return new Response(null, {
      status: 204,
      headers: {
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-allow-headers': this.options.cors.allowHeaders.join(', '),
        'access-control-max-age': '86400',
      },
    })
  }

  /** Adds what every response carries, and counts and logs it. */
  finish(response: Response, call: Call, route: string): Response {
    const answered = withHeader(response, 'x-request-id', call.id)
    answered.headers.set('access-control-allow-origin', '*')
    if (this.exposeHeaders) answered.headers.set('access-control-expose-headers', this.exposeHeaders)
    const extra = call.responseHeaders
    if (extra) for (const name in extra) answered.headers.set(name, extra[name]!)
    const seconds = (performance.now() - call.startedAt) / 1000
    const { request } = call
    this.options.metrics.request(this.options.name, route, request.method, answered.status, seconds)
    if (this.logsRequests) {
      this.options.log.info('request', {
        id: call.id,
        method: request.method,
        path: pathOf(request.url),
        status: answered.status,
        ms: Math.round(seconds * 10_000) / 10,
        dialect: this.options.name,
      })
    }
    return answered
  }

  private declaresTooLarge(request: Request): boolean {
    if (request.method === 'GET' || request.method === 'HEAD') return false
    const declared = request.headers.get('content-length')
    return declared !== null && Number(declared) > this.options.maxBodyBytes
  }
}

/** Some responses (redirects, fetched ones) have immutable headers; those are copied. */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value)
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set(name, value)
    return copy
  }
}

/** The path of a URL as received, without its query, for the access log. */
function pathOf(url: string): string {
  const start = url.startsWith('/') ? 0 : url.indexOf('/', url.indexOf('//') + 2)
  if (start === -1) return '/'
  const query = url.indexOf('?', start)
  return url.slice(start, query === -1 ? undefined : query)
}
