// What every KVdb route handler receives: the engine and options, and for bucket routes the
// loaded bucket, the resolved principal and the parsed query.

import type { DialectContext } from '../../core/dialect.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Logger } from '../../core/log.ts'
import type { Bucket } from './bucket.ts'
import type { Principal } from './credentials.ts'
import type { KvdbOptions } from './options.ts'
import type { Query } from './request.ts'

export interface KvdbContext {
  engine: Engine
  options: KvdbOptions
  log: Logger
  /** The largest body any KVdb route reads (forms, script sources). */
  maxFormBytes: number
  /** The client's IP (the socket peer, or what a trusted proxy forwarded). */
  clientIp(request: Request): string
  /** Everything the core handed the dialect, for routes that need more (config, rate limiter, ...). */
  dialect: DialectContext<KvdbOptions>
}

export interface RootRequest {
  request: Request
  query: Query
  ctx: KvdbContext
}

export interface BucketRequest extends RootRequest {
  bucket: Bucket
  principal: Principal
}

export interface KeyRequest extends BucketRequest {
  key: Uint8Array
}

export interface SubRequest extends BucketRequest {
  /** The raw path after "{name}/" (e.g. a script name), '' when none. */
  rest: string
}

export type Handler<R> = (request: R) => Promise<Response>

/** Handlers by HTTP method; a method without one answers 405. */
export type Methods<R> = Partial<Record<string, Handler<R>>>

/** A reserved path segment below a bucket (tokens, scripts), with its own handlers. */
export interface SubResource {
  name: string
  /** Whether names below it (scripts/{name}) belong to it too. */
  nested: boolean
  methods: Methods<SubRequest>
}

/** An empty 200, as KVdb answers writes. */
export const ok = () => new Response(null, { status: 200 })
