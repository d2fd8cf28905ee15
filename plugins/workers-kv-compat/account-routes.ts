// Account lookups: tokens/verify (`wrangler whoami`), and /accounts and /memberships, which wrangler
// calls to find the account when CLOUDFLARE_ACCOUNT_ID is unset. Each names the credential's one account.

import type { Call } from '../../core/http/call.ts'
import { authenticate, credentialOf, DIALECT } from './auth.ts'
import { ok, paged } from './envelope.ts'
import { CfError } from './errors.ts'
import type { RouteGroup } from './kv-context.ts'
import { pageParam } from './validate.ts'

export const accountRoutes: RouteGroup = (router, kv) => {
  const { auth } = kv

  const verify = async (call: Call) => {
    const credential = credentialOf(call.request)
    const principal = credential ? await auth.verify(credential, DIALECT) : null
    if (!principal) throw new CfError(401, 1000, 'Invalid API Token')
    const accountId = call.params.account_id
    if (accountId !== undefined && principal.accountId !== accountId) {
      throw new CfError(403, 10000, 'Authentication error')
    }
    return ok(
      { id: principal.credentialId, status: 'active' },
      { messages: [{ code: 10000, message: 'This API Token is valid and active', type: null }] },
    )
  }

  /** The caller's account and the page asked for. */
  const lookup = async (call: Call) => {
    const principal = await authenticate(auth, call.request)
    await kv.limitRate(principal)
    const account = await auth.get(principal.accountId)
    return {
      account: { id: principal.accountId, name: account?.name ?? principal.accountId },
      page: pageParam(call.query, 'page', 1),
      perPage: pageParam(call.query, 'per_page', 20, 1000),
    }
  }

  router
    .get('/user/tokens/verify', verify)
    .get('/accounts/:account_id/tokens/verify', verify)
    .get('/accounts', async (call) => {
      const { account, page, perPage } = await lookup(call)
      return paged([{ ...account, type: 'standard' }], page, perPage)
    })
    .get('/memberships', async (call) => {
      const { account, page, perPage } = await lookup(call)
      return paged([{ id: account.id, status: 'accepted', account }], page, perPage)
    })
}
