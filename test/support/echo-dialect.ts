// A minimal dialect used only by the core's tests: it proves mounting by prefix and by Host, the
// dialect's own error shape, body limits, and operator-issued credentials.

import * as v from 'valibot'
import { type Dialect, defineDialect, dialectRoutes } from '../../core/dialect.ts'
import { fromUtf8 } from '../../core/engine/bytes.ts'
import { isEngineError } from '../../core/engine/errors.ts'
import { readBody } from '../../core/http/body.ts'
import { HttpError } from '../../core/http/errors.ts'
import { pathBytesAfter } from '../../core/http/path.ts'
import { requestIdOf } from '../../core/http/request-context.ts'
import { integerOption } from '../../core/options.ts'

const STATUS: Record<string, number> = { not_found: 404, too_large: 413, invalid: 400, unavailable: 503 }

export const echoDialect: Dialect<{ maxValueBytes: number }> = defineDialect({
  name: 'echo',
  defaultPrefix: '/echo',
  options: v.object({ maxValueBytes: integerOption(1024) }),
  accounts: { credentials: { api_key: 'full' }, namespacePerAccount: true },
  cors: { allowHeaders: ['Authorization', 'X-Echo'], exposeHeaders: ['X-Echo-Version'] },
  maxBodyBytes: (options) => options.maxValueBytes,
  renderError(error, request) {
    if (error instanceof HttpError)
      return Response.json({ echo_error: error.message }, { status: error.status })
    if (isEngineError(error))
      return Response.json({ echo_error: error.message }, { status: STATUS[error.code] ?? 500 })
    return Response.json({ echo_error: 'internal', request_id: requestIdOf(request) }, { status: 500 })
  },
  plugin({ engine, auth, options }, mount) {
    const account = async (request: Request) => {
      const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''
      const principal = await auth.verify(token, 'echo')
      if (!principal) throw new HttpError(401, 'who are you?')
      return principal.accountId
    }
    const keyOf = (request: Request) => pathBytesAfter(request.url, `${mount.prefix}/items/`)
    return dialectRoutes(echoDialect, mount)
      .get('/whoami', async ({ request }) =>
        Response.json({ account: await account(request), mount: mount.prefix }),
      )
      .put(
        '/items/*',
        async ({ request }) => {
          const ns = await account(request)
          const { version } = await engine.put(ns, keyOf(request), {
            bytes: await readBody(request, options.maxValueBytes),
          })
          return Response.json({ version }, { headers: { 'x-echo-version': String(version) } })
        },
        { parse: 'none' },
      )
      .get('/items/*', async ({ request }) => {
        const entry = await engine.get(await account(request), keyOf(request))
        if (!entry) throw new HttpError(404, 'no such item')
        return new Response(fromUtf8(entry.value))
      })
      .get('/boom', () => {
        throw new Error('a bug')
      })
  },
})
