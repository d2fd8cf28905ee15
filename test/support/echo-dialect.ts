// A minimal dialect used only by the core's tests and the bench's core floor: it proves mounting by
// prefix and by Host, the dialect's own error shape, body limits, and operator-issued credentials.

import * as v from 'valibot'
import { defineDialect } from '../../core/dialect.ts'
import { readBody } from '../../core/http/body.ts'
import { bearerToken } from '../../core/http/credentials.ts'
import { HttpError } from '../../core/http/errors.ts'
import { integerOption } from '../../core/options.ts'

export const echoDialect = defineDialect({
  name: 'echo',
  defaultPrefix: '/echo',
  options: v.object({ maxValueBytes: integerOption(1024) }),
  accounts: { credentials: { api_key: 'full' }, namespacePerAccount: true },
  cors: { allowHeaders: ['Authorization', 'X-Echo'], exposeHeaders: ['X-Echo-Version'] },
  maxBodyBytes: (options) => options.maxValueBytes,
  errors: {
    table: {
      not_found: { status: 404 },
      too_large: { status: 413 },
      invalid: { status: 400 },
      conflict: { status: 409 },
      type_mismatch: { status: 400 },
      quota_exceeded: { status: 403 },
      unavailable: { status: 503 },
      route_not_found: { status: 404 },
      method_not_allowed: { status: 405 },
      payload_too_large: { status: 413 },
      malformed_body: { status: 400 },
      rate_limited: { status: 429 },
      internal: { status: 500, message: 'internal' },
    },
    body: (error, requestId) =>
      Response.json(
        error.status === 500
          ? { echo_error: error.message, request_id: requestId }
          : { echo_error: error.message },
        { status: error.status },
      ),
  },
  routes(router, { engine, auth, options }) {
    const account = async (request: Request) => {
      const principal = await auth.verify(bearerToken(request) ?? '', 'echo')
      if (!principal) throw new HttpError(401, 'who are you?')
      return principal.accountId
    }
    router
      .get('/whoami', async ({ request }) =>
        Response.json({ account: await account(request), mount: router.prefix }),
      )
      .put('/items/*', async ({ request, key }) => {
        const ns = await account(request)
        const { version } = await engine.put(ns, key, {
          bytes: await readBody(request, options.maxValueBytes),
        })
        return Response.json({ version }, { headers: { 'x-echo-version': String(version) } })
      })
      .get('/items/*', async ({ request, key }) => {
        const entry = await engine.get(await account(request), key)
        if (!entry) throw new HttpError(404, 'no such item')
        // The stored bytes as they are, as a real dialect answers a value (no text decoding).
        return new Response(entry.value as Uint8Array<ArrayBuffer>)
      })
      .get('/boom', () => {
        throw new Error('a bug')
      })
  },
})
