// Builds the HTTP application: one Elysia app per Host (plus one for any host), each with the core
// routes and the dialects mounted there, wrapped by what every response gets whatever answered it:
// a request id, CORS, the body limit of its dialect, metrics and an access log line.

import { type AnyElysia, Elysia } from 'elysia'
import type { Accounts } from './auth/accounts.ts'
import { adminApi } from './auth/admin-api.ts'
import type { Config } from './config.ts'
import type { CorsPolicy, Dialect } from './dialect.ts'
import type { Engine } from './engine/engine.ts'
import { isEngineError } from './engine/errors.ts'
import { declaresMoreThan } from './http/body.ts'
import { HttpError, PayloadTooLargeError, RouteNotFoundError } from './http/errors.ts'
import { rawPath } from './http/path.ts'
import { attachRequestInfo, requestIdOf, requestInfo } from './http/request-context.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { Mount } from './routes.ts'
import type { ScriptSandbox } from './scripting/sandbox.ts'

export interface ServerParts {
  config: Config
  engine: Engine
  /** Every dialect kvgate knows; config.mounts says which are enabled and where. */
  dialects: Dialect[]
  accounts: Accounts
  rateLimit: RateLimiter
  log: Logger
  metrics: Metrics
  scripting: ScriptSandbox
}

export interface Server {
  /** Answers one request; `peer` is the socket address of the client. */
  fetch(request: Request, peer: string): Promise<Response>
}

interface MountedDialect {
  mount: Mount
  dialect: Dialect
  maxBodyBytes: number
}

interface HostApp {
  app: AnyElysia
  /** Longest prefix first. */
  mounts: MountedDialect[]
}

/** Elysia finds a URL's path with url.indexOf('/', 11). */
const ELYSIA_PATH_SEARCH_START = 11
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
const DEFAULT_CORS: CorsPolicy = { allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: [] }

export function createServer(parts: ServerParts): Server {
  const { config, log, metrics } = parts
  const byName = new Map(parts.dialects.map((dialect) => [dialect.name, dialect]))
  const mounted: MountedDialect[] = config.mounts.map((mount) => {
    const dialect = byName.get(mount.dialect)!
    return { mount, dialect, maxBodyBytes: dialect.maxBodyBytes(config.dialects[dialect.name] ?? {}) }
  })

  // A host with mounts of its own gets its own app; mounts without a host answer on every host
  // unless that host mounts something at the same prefix.
  const anyHost = mounted.filter((each) => each.mount.host === null)
  const hosts = new Set(mounted.flatMap((each) => (each.mount.host ? [each.mount.host] : [])))
  const apps = new Map<string | null, HostApp>()
  apps.set(null, buildHostApp(parts, anyHost))
  for (const host of hosts) {
    const own = mounted.filter((each) => each.mount.host === host)
    const shared = anyHost.filter((each) => !own.some((mine) => mine.mount.prefix === each.mount.prefix))
    apps.set(host, buildHostApp(parts, [...own, ...shared]))
  }

  const anyHostApp = apps.get(null)!

  return {
    async fetch(received, peer) {
      const startedAt = performance.now()
      const request = withRoutableUrl(received)
      attachRequestInfo(request, { id: crypto.randomUUID(), peer, startedAt })
      // Without host-specific mounts there is one app: no need to read the Host header.
      const { app, mounts } = apps.size === 1 ? anyHostApp : (apps.get(hostOf(request)) ?? anyHostApp)
      const path = rawPath(request.url)
      const target = mounts.find(({ mount }) => isUnder(path, mount.prefix))
      const cors = target?.dialect.cors ?? DEFAULT_CORS

      let response: Response
      if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
        response = preflight(cors)
      } else if (target && declaresMoreThan(request, target.maxBodyBytes)) {
        response = target.dialect.renderError(new PayloadTooLargeError(target.maxBodyBytes), request)
      } else {
        try {
          response = await app.handle(request)
        } catch (error) {
          log.error('unhandled error', { id: requestIdOf(request), error })
          response = target
            ? target.dialect.renderError(error, request)
            : Response.json({ error: 'internal error', request_id: requestIdOf(request) }, { status: 500 })
        }
      }

      response = withHeaders(response, requestIdOf(request), cors)
      const seconds = (performance.now() - startedAt) / 1000
      const dialect = target?.dialect.name ?? 'core'
      metrics.request(
        dialect,
        requestInfo(request)?.route ?? 'unmatched',
        request.method,
        response.status,
        seconds,
      )
      log.info('request', {
        id: requestIdOf(request),
        method: request.method,
        path,
        status: response.status,
        ms: Math.round(seconds * 10_000) / 10,
        dialect,
      })
      return response
    },
  }
}

function buildHostApp(parts: ServerParts, mounts: MountedDialect[]): HostApp {
  const { config, engine, accounts, rateLimit, log, metrics, scripting } = parts
  const sorted = [...mounts].sort((a, b) => b.mount.prefix.length - a.mount.prefix.length)
  let app: AnyElysia = new Elysia()
    // Runs before every other error handler and lets them answer: it only counts and logs.
    .onError({ as: 'global' }, ({ error, request }) => {
      if (isEngineError(error)) {
        metrics.engineError(error.code)
        if (error.code === 'unavailable')
          log.warn('store unavailable', { id: requestIdOf(request), error: error.message })
      } else if (!(error instanceof HttpError) && !isElysiaClientError(error)) {
        metrics.engineError('internal')
        log.error('internal error', { id: requestIdOf(request), error })
      }
    })
    .onTransform({ as: 'global' }, ({ request, route }) => {
      const info = requestInfo(request)
      if (info) info.route = route
    })
    .get('/healthz', async () => {
      try {
        await engine.ping()
        return Response.json({ status: 'ok', backend: engine.backendName })
      } catch (error) {
        return Response.json(
          { status: 'unavailable', backend: engine.backendName, error: (error as Error).message },
          { status: 503 },
        )
      }
    })
    .get(
      '/metrics',
      async () => new Response(await metrics.text(), { headers: { 'content-type': metrics.contentType } }),
    )
  if (config.adminToken) app = app.use(adminApi(accounts, config.adminToken))
  for (const { mount, dialect } of sorted) {
    const context = {
      engine,
      config,
      options: config.dialects[dialect.name] ?? {},
      auth: accounts,
      rateLimit,
      log: log.child({ dialect: dialect.name }),
      scripting,
    }
    app = app.use(dialect.plugin(context, mount))
  }
  // Reached only by what no dialect answered: an unknown route, in its dialect's shape when under one.
  app = app.onError(({ error, request }) => {
    const path = rawPath(request.url)
    const target = sorted.find(({ mount }) => isUnder(path, mount.prefix))
    const notFound = isElysiaNotFound(error) ? new RouteNotFoundError(path) : error
    if (target) return target.dialect.renderError(notFound, request)
    if (notFound instanceof RouteNotFoundError) return Response.json({ error: 'not found' }, { status: 404 })
    return Response.json({ error: 'internal error', request_id: requestIdOf(request) }, { status: 500 })
  })
  return { app, mounts: sorted }
}

/**
 * The request with a URL Elysia can route and the dialects can parse. Bun hands over just the request
 * target as `url` when the Host header is missing (HTTP/1.0), empty or unusable ("a b", "[::1"), and
 * Elysia looks for the path only from the 12th character on, past the shortest host it expects, so
 * "http://kv/x" (a Host of up to three characters, as a container name can be) would route as "/".
 * Such a request is read as if it had named localhost; routing by host reads the Host header itself.
 */
function withRoutableUrl(request: Request): Request {
  if (request.url.indexOf('/', 8) >= ELYSIA_PATH_SEARCH_START && URL.canParse(request.url)) return request
  const { url } = request
  const scheme = url.indexOf('://')
  const start = url.startsWith('/') ? 0 : scheme === -1 ? -1 : url.indexOf('/', scheme + 3)
  const target = start === -1 ? '/' : url.slice(start)
  return new Request(`http://localhost${target}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    // @ts-expect-error: needed by runtimes that stream request bodies (Deno, Node); not yet in the DOM types.
    duplex: 'half',
  })
}

const isUnder = (path: string, prefix: string) =>
  prefix === '' || path === prefix || path.startsWith(`${prefix}/`)

function hostOf(request: Request): string | null {
  const host = request.headers.get('host')
  if (!host) return null
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!
  return name.toLowerCase()
}

function preflight(cors: CorsPolicy): Response {
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers': cors.allowHeaders.join(', '),
      'access-control-max-age': '86400',
    },
  })
}

function withHeaders(response: Response, requestId: string, cors: CorsPolicy): Response {
  const decorated = withRequestId(response, requestId)
  decorated.headers.set('access-control-allow-origin', '*')
  if (cors.exposeHeaders.length > 0) {
    decorated.headers.set('access-control-expose-headers', [...cors.exposeHeaders, 'X-Request-ID'].join(', '))
  }
  return decorated
}

/** Some responses (redirects, fetched ones) have immutable headers; those are copied. */
function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set('x-request-id', requestId)
    return response
  } catch {
    const copy = new Response(response.body, response)
    copy.headers.set('x-request-id', requestId)
    return copy
  }
}

const isElysiaNotFound = (error: unknown) => (error as { code?: unknown })?.code === 'NOT_FOUND'

/** Elysia's own client errors (bad JSON, failed validation, unknown route) are answered, not logged. */
const isElysiaClientError = (error: unknown) => {
  const code = (error as { code?: unknown })?.code
  return (
    code === 'NOT_FOUND' || code === 'PARSE' || code === 'VALIDATION' || code === 'INVALID_COOKIE_SIGNATURE'
  )
}
