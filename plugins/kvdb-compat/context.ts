// What KVdb's route handlers receive: the request (the core's Call) and the dialect's parts, and for
// routes below a bucket the loaded bucket and the resolved principal.

import type { WatchConfig } from '../../core/config.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Call } from '../../core/http/call.ts'
import type { RateLimiter } from '../../core/rate-limit.ts'
import type { ScriptSandbox } from '../../core/scripting/sandbox.ts'
import type { Bucket } from './bucket.ts'
import type { Principal } from './credentials.ts'
import type { KvdbOptions } from './options.ts'

export interface KvdbContext {
  engine: Engine
  options: KvdbOptions
  rateLimit: RateLimiter
  scripting: ScriptSandbox
  /** Peers whose X-Forwarded-For names the client (config.trustedProxies). */
  trustedProxies: readonly string[]
  /** The watch feed's settings (GET /{bucket}?watch). */
  watch: WatchConfig
  /** The largest body any KVdb route reads besides values, transactions and scripts (forms, script runs). */
  maxFormBytes: number
}

export interface BucketRequest {
  call: Call
  ctx: KvdbContext
  bucket: Bucket
  principal: Principal
}

/** A route at the root (bucket creation). */
export type RootHandler = (call: Call, ctx: KvdbContext) => Promise<Response>

/** A route below a bucket. */
export type BucketHandler = (request: BucketRequest) => Promise<Response>

/** The methods KVdb routes take, each path with its own set. */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Handlers by method; every method a path lacks answers 405. */
export type Methods<H> = Partial<Record<Method, H>>

/** An empty 200, as KVdb answers writes. */
export const ok = () => new Response(null, { status: 200 })
