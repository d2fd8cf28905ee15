// The operator's HTTP interface (ARCHITECTURE.md, "Operator interface"), behind
// Authorization: Bearer $KVGATE_ADMIN_TOKEN. `kvgate admin ...` prints the same JSON.

import { Elysia } from 'elysia'
import * as v from 'valibot'
import { isEngineError } from '../engine/errors.ts'
import { MalformedJsonError, readJson } from '../http/body.ts'
import { HttpError } from '../http/errors.ts'
import type { Accounts } from './accounts.ts'
import { constantTimeEqual } from './secrets.ts'

export const CreateAccountBody = v.object({
  dialect: v.string('"dialect" is required'),
  name: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(200)))),
})

export const RotateBody = v.object({
  which: v.optional(v.string()),
})

const BODY_LIMIT = 64 * 1024
const STATUS: Record<string, number> = { not_found: 404, invalid: 400, conflict: 409, unavailable: 503 }

export function adminApi(accounts: Accounts, adminToken: string) {
  return new Elysia({ name: 'kvgate:admin', prefix: '/admin' })
    .onBeforeHandle(({ request }) => {
      const header = request.headers.get('authorization') ?? ''
      const token = header.startsWith('Bearer ') ? header.slice(7).trim() : ''
      if (!constantTimeEqual(token, adminToken)) throw new HttpError(401, 'admin token required')
    })
    .onError(({ error, code }) => {
      if (error instanceof HttpError) return Response.json({ error: error.message }, { status: error.status })
      if (isEngineError(error))
        return Response.json({ error: error.message }, { status: STATUS[error.code] ?? 500 })
      if (error instanceof MalformedJsonError) return Response.json({ error: error.message }, { status: 400 })
      if (code === 'NOT_FOUND') return Response.json({ error: 'not found' }, { status: 404 })
      return Response.json({ error: 'internal error' }, { status: 500 })
    })
    .post(
      '/accounts',
      async ({ request }) => {
        const input = validate(CreateAccountBody, (await readJson(request, BODY_LIMIT)) ?? {})
        return Response.json(await accounts.create(input.dialect, input.name ?? null), { status: 201 })
      },
      { parse: 'none' },
    )
    .get('/accounts', async () => Response.json(await accounts.list()))
    .post(
      '/accounts/:id/rotate',
      async ({ params, request }) => {
        const input = validate(RotateBody, (await readJson(request, BODY_LIMIT)) ?? {})
        return Response.json(await accounts.rotate(params.id, input.which))
      },
      { parse: 'none' },
    )
    .delete('/accounts/:id', async ({ params }) => {
      if (!(await accounts.delete(params.id))) throw new HttpError(404, 'account not found')
      return new Response(null, { status: 204 })
    })
}

function validate<T>(schema: v.GenericSchema<unknown, T>, input: unknown): T {
  const result = v.safeParse(schema, input)
  if (!result.success) throw new HttpError(400, v.summarize(result.issues))
  return result.output
}
