// Builds the HTTP application: one Elysia app with the core routes and every mounted dialect, each
// under its own request pipeline. With no Host-routed mount, Elysia serves it itself (under Bun,
// Bun's native router routes); with Host-routed mounts there is one app per Host and a dispatcher
// in front, a path only those configurations take.

import { type AnyElysia, Elysia } from 'elysia'
import { adminApi } from './admin/api.ts'
import type { Accounts } from './auth/accounts.ts'
import type { Config } from './config.ts'
import { consoleRoutes } from './console/routes.ts'
import { type Dialect, jsonValueDialects } from './dialect.ts'
import { discoveryRoutes } from './discovery.ts'
import type { Engine } from './engine/engine.ts'
import { Call, setPeer } from './http/call.ts'
import { CORE_ERRORS } from './http/core-errors.ts'
import { MalformedBodyError, MethodNotAllowedError, RouteNotFoundError } from './http/errors.ts'
import { rawPath } from './http/path.ts'
import { type ElysiaHandler, RequestPipeline } from './http/pipeline.ts'
import { DialectRouter, ELYSIA_CONFIG } from './http/router.ts'
import type { Logger } from './log.ts'
import type { Metrics } from './metrics.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { Mount } from './routes.ts'
import { type Listener, listenApp, listenFetch } from './runtime.ts'
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

export interface ListenOptions {
  port: number
  hostname: string
  /** Let other processes listen on the same port (several workers); off, a taken port is an error. */
  reusePort?: boolean
}

export interface Server {
  /** Answers one request in this process; `peer` is the client's address. */
  fetch(request: Request, peer?: string): Promise<Response>
  /** Serves on a port until the listener is stopped. */
  listen(options: ListenOptions): Listener
}

interface RoutedMount {
  mount: Mount
  router: DialectRouter
}

export function createServer(parts: ServerParts): Server {
  const { config } = parts
  const byName = new Map(parts.dialects.map((dialect) => [dialect.name, dialect]))
  const pipelines = new Map<string, RequestPipeline>()
  const pipelineOf = (dialect: Dialect) => {
    let pipeline = pipelines.get(dialect.name)
    if (!pipeline) {
      pipeline = new RequestPipeline({
        name: dialect.name,
        errors: dialect.errors,
        cors: dialect.cors,
        maxBodyBytes: dialect.maxBodyBytes(config.dialects[dialect.name] ?? {}),
        metrics: parts.metrics,
        log: parts.log,
      })
      pipelines.set(dialect.name, pipeline)
    }
    return pipeline
  }
  const mounted = config.mounts.map((mount) => ({ mount, dialect: byName.get(mount.dialect)! }))

  // A host with mounts of its own gets its own app; mounts without a host answer on every host
  // unless that host mounts something at the same prefix.
  const anyHost = mounted.filter((each) => each.mount.host === null)
  const hosts = [...new Set(mounted.flatMap((each) => (each.mount.host ? [each.mount.host] : [])))]
  const build = (mounts: typeof mounted) => buildApp(parts, mounts, pipelineOf)
  const anyHostApp = build(anyHost)

  if (hosts.length === 0) {
    return {
      fetch(request, peer) {
        if (peer !== undefined) setPeer(request, peer)
        return anyHostApp.handle(request)
      },
      listen: (options) => listenApp(anyHostApp, { ...options, maxRequestBodySize: config.maxBodyBytes }),
    }
  }

  const byHost = new Map<string, AnyElysia>()
  for (const host of hosts) {
    const own = mounted.filter((each) => each.mount.host === host)
    const shared = anyHost.filter((each) => !own.some((mine) => mine.mount.prefix === each.mount.prefix))
    byHost.set(host, build([...own, ...shared]))
  }
  const dispatch = (request: Request, peer: string) => {
    setPeer(request, peer)
    return (byHost.get(hostOf(request) ?? '') ?? anyHostApp).handle(request)
  }
  return {
    fetch: (request, peer = '') => dispatch(request, peer),
    listen: (options) => listenFetch(dispatch, { ...options, maxRequestBodySize: config.maxBodyBytes }),
  }
}

function buildApp(
  parts: ServerParts,
  mounts: Array<{ mount: Mount; dialect: Dialect }>,
  pipelineOf: (dialect: Dialect) => RequestPipeline,
): AnyElysia {
  const { config, engine, accounts, rateLimit, log, metrics, scripting } = parts
  const corePipeline = new RequestPipeline({
    name: 'core',
    errors: CORE_ERRORS,
    cors: { allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: [] },
    maxBodyBytes: config.maxBodyBytes,
    metrics,
    log,
  })
  const core = new DialectRouter('', corePipeline, 'kvgate:core', '')
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
  // The console is on the core router itself: its page, /admin/, is a trailing-slash route, which
  // the not-found path below answers from the core router.
  if (config.adminToken) consoleRoutes(core)
  discoveryRoutes(core, {
    config,
    engine,
    dialects: parts.dialects,
    rootTaken: mounts.some(({ mount }) => mount.prefix === ''),
  })
  let app: AnyElysia = new Elysia(ELYSIA_CONFIG).use(core.elysia())
  if (config.adminToken) {
    const admin = adminApi(corePipeline, {
      adminToken: config.adminToken,
      engine,
      accounts,
      metrics,
      watch: config.watch,
      jsonDialects: jsonValueDialects(parts.dialects),
    })
    app = app.use(admin.elysia())
  }

  // Longest prefix first, so that an unknown path is answered by the dialect it is under.
  const routed: RoutedMount[] = [...mounts]
    .sort((a, b) => b.mount.prefix.length - a.mount.prefix.length)
    .map(({ mount, dialect }) => {
      const router = new DialectRouter(
        mount.prefix,
        pipelineOf(dialect),
        `kvgate:${dialect.name}`,
        `${mount.host ?? '*'}${mount.prefix}`,
      )
      dialect.routes(router, {
        engine,
        config,
        options: config.dialects[dialect.name] ?? {},
        auth: accounts,
        rateLimit,
        log: log.child({ dialect: dialect.name }),
        scripting,
      })
      app = app.use(router.elysia())
      return { mount, router }
    })

  // Only what no route answered reaches here (every handler renders its own errors): an unknown
  // path or method, or a preflight, in the shape of the dialect the path is under.
  return app.onError(({ code, error, request }) => {
    const path = rawPath(request.url)
    const router = routed.find(({ mount }) => isUnder(path, mount.prefix))?.router ?? core
    const call = new Call(request, {})
    const { pipeline } = router
    if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
      return pipeline.finish(pipeline.preflight(), call, 'unmatched')
    }
    if (code === 'NOT_FOUND') {
      const relative = path.slice(router.prefix.length)
      const slashRoute = router.slashRoute(relative, request.method)
      if (slashRoute) return answerSlashRoute(slashRoute, request)
      const allowed = router.methodsOf(relative)
      const refusal = allowed
        ? new MethodNotAllowedError(relative, allowed)
        : new RouteNotFoundError(relative || '/')
      return pipeline.fail(refusal, call, 'unmatched')
    }
    if (code === 'PARSE' || code === 'VALIDATION') {
      return pipeline.fail(new MalformedBodyError('request is not parseable'), call, 'unmatched')
    }
    return pipeline.fail(error, call, 'unmatched')
  })
}

/** A trailing-slash route's answer (see DialectRouter); HEAD gets GET's without the body. */
async function answerSlashRoute(
  found: { route: { wrapped: ElysiaHandler }; params: Record<string, string> },
  request: Request,
): Promise<Response> {
  const response = await found.route.wrapped({ request, params: found.params, server: null })
  return request.method === 'HEAD' ? new Response(null, response) : response
}

const isUnder = (path: string, prefix: string) =>
  prefix === '' || path === prefix || path.startsWith(`${prefix}/`)

function hostOf(request: Request): string | null {
  const host = request.headers.get('host')
  if (!host) return null
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!
  return name.toLowerCase()
}
