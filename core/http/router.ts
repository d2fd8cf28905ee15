// How a dialect declares its routes: Elysia routes under the mount's prefix, each handler wrapped by
// the mount's request pipeline. The router also remembers which methods each path takes, so that a
// known path asked with another method answers 405 with Allow, and any other path 404, in the
// dialect's own shape, without a catch-all route of its own.
//
// A path with a trailing slash ("/ns/:id/") is kept out of Elysia: under `app.listen` Elysia hands
// Bun's router every route with its trailing slash removed, so "/ns/:id/" would replace "/ns/:id".
// Such routes are answered by the route "/ns/:id/*" when there is one (Elysia gives it the path with
// an empty remainder), else from the not-found path (see slashRoute), where the request lands.

import { type AnyElysia, Elysia } from 'elysia'
import { rawPath } from './path.ts'
import type { ElysiaHandler, Handler, RequestPipeline } from './pipeline.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

interface KnownPath {
  pattern: RegExp
  methods: Set<string>
}

interface SlashRoute {
  pattern: RegExp
  method: string
  /** As Elysia would call it, for the not-found path. */
  wrapped: ElysiaHandler
  /** As the dialect declared it, for a wildcard route that received the path. */
  handler: Handler
}

/**
 * Elysia's configuration for every instance kvgate builds. strictPath: a path with a trailing slash
 * is not its parent's route, which matters because the URL parser resolves dot segments first, so
 * a key ".." (or a key ending in "/..") reaches the server as its container's path with a trailing
 * slash. standardHostname off: Elysia otherwise looks for the path from the 12th character of the
 * URL, past the shortest host it expects, and a short Host ("kv") would route as "/".
 */
export const ELYSIA_CONFIG = { strictPath: true, handler: { standardHostname: false } } as const

export class DialectRouter {
  private readonly app: AnyElysia
  private readonly known: KnownPath[] = []
  private readonly slashRoutes: SlashRoute[] = []
  private readonly declared: Array<{ method: string; path: string }> = []

  constructor(
    readonly prefix: string,
    readonly pipeline: RequestPipeline,
    /** Names the Elysia plugin, so that it mounts once per route. */
    name: string,
    seed: string,
  ) {
    this.app = new Elysia({ ...ELYSIA_CONFIG, name, seed, prefix })
  }

  get(path: string, handler: Handler): this {
    return this.route('GET', path, handler)
  }

  post(path: string, handler: Handler): this {
    return this.route('POST', path, handler)
  }

  put(path: string, handler: Handler): this {
    return this.route('PUT', path, handler)
  }

  patch(path: string, handler: Handler): this {
    return this.route('PATCH', path, handler)
  }

  delete(path: string, handler: Handler): this {
    return this.route('DELETE', path, handler)
  }

  options(path: string, handler: Handler): this {
    return this.route('OPTIONS', path, handler)
  }

  /**
   * Registers a handler. `advertised: false` keeps the method out of the path's Allow list: for a
   * method a path answers only to refuse it as bad input (RocketStack's PUT on its listing path is
   * "Key must not be empty", and Allow there says GET).
   */
  route(method: Method, path: string, handler: Handler, { advertised = true } = {}): this {
    this.declared.push({ method, path })
    const wrapped = this.pipeline.wrap(`${this.prefix}${path}`, this.withSlashRoute(method, path, handler))
    const pattern = patternOf(path)
    if (`${this.prefix}${path}`.length > 1 && path.endsWith('/')) {
      this.slashRoutes.push({ pattern, method, wrapped, handler })
    } else {
      this.app.route(method, path, wrapped as (context: any) => unknown)
    }
    if (!advertised) return this
    const known = this.known.find((each) => each.pattern.source === pattern.source)
    // HEAD is left implied: every GET route answers it, and the dialects' contracts list only the
    // methods they declare in Allow (LightKV's "GET", RocketStack's "GET, PUT, DELETE").
    if (known) known.methods.add(method)
    else this.known.push({ pattern, methods: new Set([method]) })
    return this
  }

  /**
   * A wildcard route hands a path ending in "/" (its remainder empty, or itself ending in "/") to
   * the trailing-slash route that names it, if any: Elysia prefers the wildcard for such paths.
   */
  private withSlashRoute(method: Method, path: string, handler: Handler): Handler {
    if (!path.endsWith('/*')) return handler
    return (call) => {
      const remainder = call.params['*'] ?? ''
      if (remainder !== '' && !remainder.endsWith('/')) return handler(call)
      const slash = this.slashRoute(rawPath(call.request.url).slice(this.prefix.length), method)
      return slash ? slash.route.handler(call.withParams(slash.params)) : handler(call)
    }
  }

  /**
   * Every route declared, as declared (relative to the prefix, Elysia's ":name" and "*"), in order:
   * what the OpenAPI documents are checked against.
   */
  routes(): ReadonlyArray<{ method: string; path: string }> {
    return this.declared
  }

  /** The methods a path below the prefix takes, or null when it is no route of this dialect. */
  methodsOf(path: string): string[] | null {
    const methods = new Set<string>()
    for (const known of this.known) {
      if (known.pattern.test(path)) for (const method of known.methods) methods.add(method)
    }
    return methods.size > 0 ? [...methods] : null
  }

  /**
   * The trailing-slash route a path below the prefix names for a method (HEAD takes GET's), with
   * the path's parameters, or null.
   */
  slashRoute(path: string, method: string): { route: SlashRoute; params: Record<string, string> } | null {
    const wanted = method === 'HEAD' ? 'GET' : method
    for (const route of this.slashRoutes) {
      if (route.method !== wanted) continue
      const match = route.pattern.exec(path)
      if (match) return { route, params: paramsOf(match) }
    }
    return null
  }

  elysia(): AnyElysia {
    return this.app
  }
}

/**
 * An Elysia path pattern as a regular expression: ":name" is one segment (a named group), a final
 * "*" anything (the group "wildcard").
 */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '(?<wildcard>.*)'
      if (segment.startsWith(':')) return `(?<${segment.slice(1)}>[^/]+)`
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return new RegExp(`^${source}$`)
}

/** Route parameters as Elysia gives them: ":name" decoded, the wildcard ("*") as sent. */
function paramsOf(match: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(match.groups ?? {})) {
    if (name === 'wildcard') params['*'] = value
    else params[name] = decodedOrAsSent(value)
  }
  return params
}

function decodedOrAsSent(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
