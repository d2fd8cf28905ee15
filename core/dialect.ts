// The dialect contract. A dialect is a value: its name, its default route, the schema of its
// options, how its errors look, and a function that turns a context into an Elysia plugin that
// only translates HTTP <-> Engine. The core mounts it at each of its routes.

import { type AnyElysia, Elysia } from 'elysia'
import type * as v from 'valibot'
import type { AccountKind, Accounts } from './auth/accounts.ts'
import type { Config } from './config.ts'
import type { Engine } from './engine/engine.ts'
import type { Logger } from './log.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { Mount } from './routes.ts'
import type { ScriptSandbox } from './scripting/sandbox.ts'

export interface DialectContext<Options> {
  engine: Engine
  config: Config
  /** This dialect's options, validated by its schema. */
  options: Options
  /** Operator-issued accounts and credentials. */
  auth: Accounts
  rateLimit: RateLimiter
  log: Logger
  /** The Lua sandbox for dialects with scripts; its WebAssembly loads on first use. */
  scripting: ScriptSandbox
}

export interface CorsPolicy {
  /** Request headers a browser may send (beyond the CORS-safelisted ones). */
  allowHeaders: string[]
  /** Response headers a browser may read. */
  exposeHeaders: string[]
}

export interface Dialect<Options extends object = any> {
  /** The bare name used in config and by the operator: kvdb, cloudkv, workers-kv, lightkv, rocketstack. */
  name: string
  /** Where it answers unless KVGATE_ROUTES says otherwise, e.g. '/kvdb'. */
  defaultPrefix: string
  /** Its configurable limits, with defaults; set as KVGATE_<DIALECT>_<OPTION> or in the config file. */
  options: v.GenericSchema<unknown, Options>
  /** The credentials its accounts get from the operator, when its service hands them out. */
  accounts?: AccountKind
  cors: CorsPolicy
  /** The largest body any of its routes accepts; a larger Content-Length is refused before routing. */
  maxBodyBytes(options: Options): number
  /** The routes, under mount.prefix. */
  plugin(context: DialectContext<Options>, mount: Mount): AnyElysia
  /**
   * This dialect's answer to any error: engine errors, HttpErrors, Elysia's parse and not-found
   * errors, and anything unexpected (a 500 carrying the request id, never a stack trace).
   */
  renderError(error: unknown, request: Request): Response
}

/** Declares a dialect with its options type inferred from its schema. */
export function defineDialect<Options extends object>(dialect: Dialect<Options>): Dialect<Options> {
  return dialect
}

/**
 * The Elysia instance a dialect's plugin starts from: mounted at the mount's prefix, named so it
 * mounts once per route, and answering every error of its routes in the dialect's own shape.
 */
export function dialectRoutes(dialect: Pick<Dialect, 'name' | 'renderError'>, mount: Mount) {
  return new Elysia({
    name: `kvgate:${dialect.name}`,
    seed: `${mount.host ?? '*'}${mount.prefix}`,
    prefix: mount.prefix,
  }).onError(({ error, request }) => dialect.renderError(error, request))
}
