// The operator's HTTP interface (ARCHITECTURE.md, "Operator interface"), behind
// Authorization: Bearer $KVGATE_ADMIN_TOKEN. `kvgate admin ...` prints the same JSON.

import * as v from 'valibot'
import { adminGuard } from '../admin/guard.ts'
import { readJson } from '../http/body.ts'
import type { Call } from '../http/call.ts'
import { HttpError } from '../http/errors.ts'
import type { RequestPipeline } from '../http/pipeline.ts'
import { DialectRouter } from '../http/router.ts'
import { parseWith } from '../http/validate.ts'
import type { Accounts } from './accounts.ts'

export const CreateAccountBody = v.object({
  dialect: v.string('"dialect" is required'),
  name: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200)))),
})

export const RotateBody = v.object({
  which: v.optional(v.string()),
})

const BODY_LIMIT = 64 * 1024
const badRequest = (message: string) => new HttpError(400, message)

/** The admin routes under /admin, each refusing a request without the admin token (401). */
export function adminRoutes(
  pipeline: RequestPipeline,
  accounts: Accounts,
  adminToken: string,
): DialectRouter {
  const guarded = adminGuard(adminToken)
  const body = async (call: Call) => (await readJson(call.request, BODY_LIMIT)) ?? {}

  return new DialectRouter('/admin', pipeline, 'kvgate:admin', '')
    .post(
      '/accounts',
      guarded(async (call) => {
        const input = parseWith(CreateAccountBody, await body(call), badRequest)
        return Response.json(await accounts.create(input.dialect, input.name ?? null), { status: 201 })
      }),
    )
    .get(
      '/accounts',
      guarded(async () => Response.json(await accounts.list())),
    )
    .post(
      '/accounts/:id/rotate',
      guarded(async (call) => {
        const input = parseWith(RotateBody, await body(call), badRequest)
        return Response.json(await accounts.rotate(call.params.id!, input.which))
      }),
    )
    .delete(
      '/accounts/:id',
      guarded(async (call) => {
        if (!(await accounts.delete(call.params.id!))) throw new HttpError(404, 'account not found')
        return new Response(null, { status: 204 })
      }),
    )
}
