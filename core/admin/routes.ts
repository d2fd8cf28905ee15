// The admin API's data routes (ARCHITECTURE.md, "Operator interface"): every dialect's namespaces,
// their keys and entries, and the server's stats, behind the admin token. Keys travel in the path
// percent-encoded, taken from the raw path as bytes (Call.key), so any byte string is reachable.

import type { Accounts } from '../auth/accounts.ts'
import type { Engine } from '../engine/engine.ts'
import { readJson } from '../http/body.ts'
import type { Call } from '../http/call.ts'
import { HttpError } from '../http/errors.ts'
import { formComponentBytes } from '../http/path.ts'
import type { Handler } from '../http/pipeline.ts'
import type { DialectRouter } from '../http/router.ts'
import { parseWith } from '../http/validate.ts'
import type { Metrics } from '../metrics.ts'
import { VERSION } from '../version.ts'
import { AdminData } from './data.ts'
import { EntryBody, KeysQuery, NamespacesQuery } from './schemas.ts'

export interface DataRoutesParts {
  engine: Engine
  accounts: Accounts
  metrics: Metrics
  /** Dialects whose values are all JSON text (Dialect.jsonValues). */
  jsonDialects?: ReadonlySet<string>
  guarded: (handler: Handler) => Handler
}

const badRequest = (message: string) => new HttpError(400, message)
/** A base64 value of the largest entry the engine takes, in JSON, with room for metadata. */
const bodyLimit = (engine: Engine) =>
  Math.ceil((engine.limits.maxValueBytes * 4) / 3) + 2 * engine.limits.maxMetadataBytes + 4096

const etagOf = (version: number) => `"${version}"`

/** An If-Match header as a version ("*": any existing entry); one no entry can match is 412 at once. */
function ifMatchOf(call: Call): number | '*' | undefined {
  const header = call.request.headers.get('if-match')?.trim()
  if (header === undefined || header === '') return undefined
  if (header === '*') return '*'
  const match = /^(?:W\/)?"?([0-9]{1,16})"?$/.exec(header)
  if (!match) throw new HttpError(412, 'If-Match names no version of this entry')
  return Number(match[1])
}

const queryOf = (call: Call) => Object.fromEntries(call.query)

/** Adds the data routes to the admin router (prefix /admin). */
export function dataRoutes(router: DialectRouter, parts: DataRoutesParts): DialectRouter {
  const { engine, guarded, metrics } = parts
  const data = new AdminData(engine, parts.accounts, parts.jsonDialects)
  // Elysia gives a segment it cannot percent-decode ("%u0041") as null: no namespace has that id.
  const nsId = (call: Call) => {
    const id: unknown = call.params.id
    return typeof id === 'string' ? id : ''
  }

  return router
    .get(
      '/namespaces',
      guarded(async (call) => {
        const query = parseWith(NamespacesQuery, queryOf(call), badRequest)
        return Response.json(await data.namespaces(query))
      }),
    )
    .get(
      '/namespaces/:id',
      guarded(async (call) => Response.json(await data.namespace(nsId(call)))),
    )
    .delete(
      '/namespaces/:id',
      guarded(async (call) => {
        await data.deleteNamespace(nsId(call))
        return new Response(null, { status: 204 })
      }),
    )
    .get(
      '/namespaces/:id/keys',
      guarded(async (call) => {
        const query = parseWith(KeysQuery, queryOf(call), badRequest)
        const prefix = call.encodedQuery.get('prefix')
        const page = await data.keys(nsId(call), {
          ...query,
          prefix: prefix ? formComponentBytes(prefix) : undefined,
        })
        return Response.json(page)
      }),
    )
    .get(
      '/namespaces/:id/entries/*',
      guarded(async (call) => {
        const entry = await data.entry(nsId(call), call.key)
        if (!entry) throw new HttpError(404, 'key not found')
        return Response.json(entry, { headers: { etag: etagOf(entry.version) } })
      }),
    )
    .put(
      '/namespaces/:id/entries/*',
      guarded(async (call) => {
        const ifMatch = ifMatchOf(call)
        const body = parseWith(EntryBody, await readJson(call.request, bodyLimit(engine)), badRequest)
        const { version } = await data.putEntry(nsId(call), call.key, {
          value: body.value,
          encoding: body.encoding,
          kind: body.kind,
          metadata: body.metadata,
          ttl: body.ttl,
          expiresAt: body.expires_at ?? undefined,
          ifMatch,
        })
        return Response.json({ version }, { headers: { etag: etagOf(version) } })
      }),
    )
    .delete(
      '/namespaces/:id/entries/*',
      guarded(async (call) => {
        const ifMatch = ifMatchOf(call)
        if (!(await data.deleteEntry(nsId(call), call.key, ifMatch))) {
          throw new HttpError(404, 'key not found')
        }
        return new Response(null, { status: 204 })
      }),
    )
    .get(
      '/stats',
      guarded(async () =>
        Response.json({
          backend: engine.backendName,
          version: VERSION,
          uptime: Math.round(performance.now() / 1000),
          counts: await data.counts(),
          rates: metrics.rates.perSecond(),
        }),
      ),
    )
}
