// How a dialect declares its routes: Elysia routes under the mount's prefix, each handler wrapped by
// the mount's request pipeline. The router also remembers which methods each path takes, so that a
// known path asked with another method answers 405 with Allow, and any other path 404, in the
// dialect's own shape, without a catch-all route of its own.

import { type AnyElysia, Elysia } from 'elysia'
import type { Handler, RequestPipeline } from './pipeline.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

interface KnownPath {
  pattern: RegExp
  methods: Set<string>
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
    this.app.route(
      method,
      path,
      this.pipeline.wrap(`${this.prefix}${path}`, handler) as (context: any) => unknown,
    )
    if (!advertised) return this
    const pattern = patternOf(path)
    const known = this.known.find((each) => each.pattern.source === pattern.source)
    // HEAD is answered wherever GET is (Elysia does it), and Allow names GET alone, as the dialects'
    // contracts (RocketStack's, LightKV's) have always shown it.
    if (known) known.methods.add(method)
    else this.known.push({ pattern, methods: new Set([method]) })
    return this
  }

  /** The methods a path below the prefix takes, or null when it is no route of this dialect. */
  methodsOf(path: string): string[] | null {
    const methods = new Set<string>()
    for (const known of this.known) {
      if (known.pattern.test(path)) for (const method of known.methods) methods.add(method)
    }
    return methods.size > 0 ? [...methods] : null
  }

  elysia(): AnyElysia {
    return this.app
  }
}

/** An Elysia path pattern as a regular expression: ":name" is one segment, a final "*" anything. */
function patternOf(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/')
  return new RegExp(`^${source}$`)
}
