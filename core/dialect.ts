// The dialect contract. A dialect is a value: its name, its default route, the schema of its
// options, its error table and shape, and a function that declares its routes on a router the core
// gives it (a named Elysia plugin under the mount's prefix). Its handlers only translate
// HTTP <-> Engine; what every request needs (body limits, error rendering, request ids, CORS,
// metrics) is the core's, around them.

import type * as v from 'valibot'
import type { AccountKind, Accounts } from './auth/accounts.ts'
import type { Config } from './config.ts'
import type { Engine } from './engine/engine.ts'
import type { ErrorShape } from './http/error-table.ts'
import type { CorsPolicy } from './http/pipeline.ts'
import type { DialectRouter } from './http/router.ts'
import type { Logger } from './log.ts'
import type { OpenApiDocument } from './openapi.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { ScriptSandbox } from './scripting/sandbox.ts'

export type { CorsPolicy } from './http/pipeline.ts'

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

export interface Dialect<Options extends object = any> {
  /** The bare name used in config and by the operator: kvdb, cloudkv, workers-kv, lightkv, rocketstack. */
  name: string
  /** Where it answers unless KVGATE_ROUTES says otherwise, e.g. '/kvdb'. */
  defaultPrefix: string
  /** Its configurable limits, with defaults; set as KVGATE_<DIALECT>_<OPTION> or in the config file. */
  options: v.GenericSchema<unknown, Options>
  /** The credentials its accounts get from the operator, when its service hands them out. */
  accounts?: AccountKind
  /**
   * Keyspaces that also hold a namespace's data, as suffixes: `<namespace id>-<suffix>` (KVdb keeps a
   * bucket's scripts in one). Export and import carry them with the namespace.
   */
  sideKeyspaces?: string[]
  cors: CorsPolicy
  /** The largest body any of its routes accepts; a larger Content-Length is refused before routing. */
  maxBodyBytes(options: Options): number
  /** How every error answers: engine errors and the core's by table, its own HttpErrors as they are. */
  errors: ErrorShape
  /**
   * Every value it stores is JSON text (kind json), which it hands back unparsed: the operator's
   * tools then write only JSON into its namespaces.
   */
  jsonValues?: boolean
  /**
   * Its OpenAPI 3.1 document, paths relative to its base URL (served at /openapi/<name>.json);
   * every route it declares is in it, and nothing else (test/core/openapi.test.ts).
   */
  openapi?: OpenApiDocument
  /** Declares its routes, relative to the mount's prefix. */
  routes(router: DialectRouter, context: DialectContext<Options>): void
}

/** Declares a dialect with its options type inferred from its schema. */
export function defineDialect<Options extends object>(dialect: Dialect<Options>): Dialect<Options> {
  return dialect
}

/** The dialects whose values are all JSON text (see Dialect.jsonValues). */
export const jsonValueDialects = (dialects: Dialect[]): Set<string> =>
  new Set(dialects.filter((dialect) => dialect.jsonValues).map((dialect) => dialect.name))

/** The account kinds of every known dialect, enabled or not: the operator may prepare accounts ahead. */
export function accountKinds(dialects: Dialect[]): Map<string, AccountKind> {
  return new Map(
    dialects.flatMap((dialect) => (dialect.accounts ? [[dialect.name, dialect.accounts] as const] : [])),
  )
}
