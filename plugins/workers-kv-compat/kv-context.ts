// What every Workers KV route needs: the engine, the options, and the steps each request starts
// with (who is calling, within its rate limit; which of its namespaces; its JSON body).

import type { Accounts, Principal } from '../../core/auth/accounts.ts'
import type { WatchConfig } from '../../core/config.ts'
import type { DialectContext } from '../../core/dialect.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Namespace } from '../../core/engine/namespaces.ts'
import { readJson } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import type { DialectRouter } from '../../core/http/router.ts'
import { authenticate, DIALECT } from './auth.ts'
import { authenticationError, invalid, namespaceNotFound } from './errors.ts'
import type { WorkersKvOptions } from './options.ts'

export interface NamespaceSettings {
  jurisdiction?: string
}

/** `/accounts/{account_id}/storage/kv/namespaces`, as a route pattern. */
export const NS = '/accounts/:account_id/storage/kv/namespaces'

const JSON_BODY_LIMIT = 64 * 1024

export interface KvContext {
  engine: Engine
  /** The watch feed's settings (GET .../namespaces/{id}/watch). */
  watch: WatchConfig
  auth: Accounts
  options: WorkersKvOptions
  /** The caller, who must own the account in the path (else 403), within its rate limit. */
  caller(call: Call): Promise<Principal>
  /** Counts a request of the caller's account against the rate limit (429 971 when over). */
  limitRate(principal: Principal): Promise<unknown>
  /** The namespace in the path, which must be a Workers KV namespace of the caller's account. */
  namespaceOf(call: Call): Promise<Namespace<NamespaceSettings>>
  /** The JSON body, which must be present. */
  jsonBody(request: Request, limit?: number): Promise<unknown>
}

/** A group of routes, declared on the dialect's router. */
export type RouteGroup = (router: DialectRouter, kv: KvContext) => void

export function kvContext({
  engine,
  auth,
  options,
  rateLimit,
  config,
}: DialectContext<WorkersKvOptions>): KvContext {
  const kv: KvContext = {
    engine,
    watch: config.watch,
    auth,
    options,
    async caller(call) {
      const principal = await authenticate(auth, call.request)
      if (principal.accountId !== call.params.account_id) throw authenticationError(403)
      // Not even the call when there is no limit: every request would pay for its await.
      if (options.rateLimit > 0) await kv.limitRate(principal)
      return principal
    },
    limitRate: (principal) =>
      rateLimit.enforce(
        `${DIALECT}:${principal.accountId}`,
        options.rateLimit,
        options.rateLimitWindowSeconds,
      ),
    async namespaceOf(call) {
      const principal = await kv.caller(call)
      const ns = await engine.namespaces.get<NamespaceSettings>(call.params.namespace_id!)
      if (!ns || ns.dialect !== DIALECT || ns.owner !== principal.accountId) throw namespaceNotFound()
      return ns
    },
    async jsonBody(request, limit = JSON_BODY_LIMIT) {
      const body = await readJson(request, limit)
      if (body === undefined) throw invalid('A JSON request body is required')
      return body
    },
  }
  return kv
}
