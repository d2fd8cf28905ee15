// What every Workers KV route needs: the engine, the options, and the steps each request starts
// with (who is calling, within its rate limit; which of its namespaces; its JSON body).

import type { Accounts, Principal } from '../../core/auth/accounts.ts'
import type { DialectContext, dialectRoutes } from '../../core/dialect.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Namespace } from '../../core/engine/namespaces.ts'
import { readJson } from '../../core/http/body.ts'
import { authorize, DIALECT } from './auth.ts'
import { CfError, invalid, namespaceNotFound } from './errors.ts'
import type { WorkersKvOptions } from './options.ts'

/** The Elysia instance every route group adds its routes to. */
export type Routes = ReturnType<typeof dialectRoutes>

export interface NamespaceSettings {
  jurisdiction?: string
}

/** The route context the handlers use: the request and the path parameters. */
export interface RouteContext {
  request: Request
  params: { account_id: string; namespace_id: string }
}

/** `/accounts/{account_id}/storage/kv/namespaces`, as an Elysia route pattern. */
export const NS = '/accounts/:account_id/storage/kv/namespaces'

const JSON_BODY_LIMIT = 64 * 1024

export interface KvContext {
  engine: Engine
  auth: Accounts
  options: WorkersKvOptions
  /** The caller, who must own the account in the path, within its rate limit. */
  caller(request: Request, accountId: string): Promise<Principal>
  limitRate(principal: Principal): Promise<void>
  /** The namespace in the path, which must be a Workers KV namespace of the caller's account. */
  namespaceOf(context: RouteContext): Promise<Namespace<NamespaceSettings>>
  /** The JSON body, which must be present. */
  jsonBody(request: Request, limit?: number): Promise<unknown>
}

export function kvContext({ engine, auth, options, rateLimit }: DialectContext<WorkersKvOptions>): KvContext {
  const kv: KvContext = {
    engine,
    auth,
    options,
    async caller(request, accountId) {
      const principal = await authorize(auth, request, accountId)
      await kv.limitRate(principal)
      return principal
    },
    async limitRate(principal) {
      if (options.rateLimit <= 0) return
      const result = await rateLimit.hit(
        `${DIALECT}:${principal.accountId}`,
        options.rateLimit,
        options.rateLimitWindowSeconds,
      )
      if (!result.allowed)
        throw new CfError(429, 971, 'Please wait and consider throttling your request speed')
    },
    async namespaceOf({ request, params }) {
      const principal = await kv.caller(request, params.account_id)
      const ns = await engine.namespaces.get<NamespaceSettings>(params.namespace_id)
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
