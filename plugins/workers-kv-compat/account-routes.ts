// Account lookups: tokens/verify (`wrangler whoami`), and /accounts and /memberships, which wrangler
// calls to find the account when CLOUDFLARE_ACCOUNT_ID is unset. Each names the credential's one account.

import type { Principal } from '../../core/auth/accounts.ts'
import { authenticate, credentialOf, DIALECT } from './auth.ts'
import { ok, paged } from './envelope.ts'
import { CfError } from './errors.ts'
import type { KvContext, Routes } from './kv-context.ts'
import { pageParam } from './validate.ts'

export function accountRoutes(app: Routes, kv: KvContext): Routes {
  const { auth } = kv

  const verify = async (request: Request, accountId?: string) => {
    const credential = credentialOf(request)
    const principal = credential ? await auth.verify(credential, DIALECT) : null
    if (!principal) throw new CfError(401, 1000, 'Invalid API Token')
    if (accountId !== undefined && principal.accountId !== accountId) {
      throw new CfError(403, 10000, 'Authentication error')
    }
    return ok(
      { id: principal.credentialId, status: 'active' },
      { messages: [{ code: 10000, message: 'This API Token is valid and active', type: null }] },
    )
  }

  /** The caller's account and the page asked for. */
  const lookup = async (request: Request) => {
    const principal: Principal = await authenticate(auth, request)
    await kv.limitRate(principal)
    const query = new URL(request.url).searchParams
    const account = await auth.get(principal.accountId)
    return {
      account: { id: principal.accountId, name: account?.name ?? principal.accountId },
      page: pageParam(query, 'page', 1),
      perPage: pageParam(query, 'per_page', 20, 1000),
    }
  }

  return app
    .get('/user/tokens/verify', ({ request }) => verify(request))
    .get('/accounts/:account_id/tokens/verify', ({ request, params }) => verify(request, params.account_id))
    .get('/accounts', async ({ request }) => {
      const { account, page, perPage } = await lookup(request)
      return paged([{ ...account, type: 'standard' }], page, perPage)
    })
    .get('/memberships', async ({ request }) => {
      const { account, page, perPage } = await lookup(request)
      return paged([{ id: account.id, status: 'accepted', account }], page, perPage)
    })
}
