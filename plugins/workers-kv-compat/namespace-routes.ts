// Namespaces: list (paged, ordered), create (unique title per account), get, rename and delete.

import type { Namespace } from '../../core/engine/namespaces.ts'
import { HEX, randomString } from '../../core/ids.ts'
import { DIALECT } from './auth.ts'
import { ok, paged } from './envelope.ts'
import { invalid, namespaceNotFound } from './errors.ts'
import { type KvContext, type NamespaceSettings, NS, type RouteContext, type Routes } from './kv-context.ts'
import { CreateNamespace, parse, RenameNamespace } from './schemas.ts'
import { pageParam } from './validate.ts'

export function namespaceRoutes(app: Routes, kv: KvContext): Routes {
  const { engine, options } = kv
  return app
    .get(NS, async ({ request, params }) => {
      const principal = await kv.caller(request, params.account_id)
      const query = new URL(request.url).searchParams
      const page = pageParam(query, 'page', 1)
      const perPage = pageParam(query, 'per_page', 20, 1000)
      const order = query.get('order') || 'title'
      const direction = query.get('direction') || 'asc'
      if (order !== 'id' && order !== 'title')
        throw invalid(`Invalid order of ${order}. Use "id" or "title".`)
      if (direction !== 'asc' && direction !== 'desc') {
        throw invalid(`Invalid direction of ${direction}. Use "asc" or "desc".`)
      }
      const owned = await engine.namespaces.list<NamespaceSettings>({
        dialect: DIALECT,
        owner: principal.accountId,
      })
      const all = owned.map(namespaceJson).sort((a, b) => compare(a[order], b[order]) || compare(a.id, b.id))
      if (direction === 'desc') all.reverse()
      return paged(all, page, perPage)
    })
    .post(
      NS,
      async ({ request, params }) => {
        const principal = await kv.caller(request, params.account_id)
        const input = parse(CreateNamespace, await kv.jsonBody(request))
        if (!input.ok) throw invalid(input.message)
        const count = await engine.namespaces.count({ dialect: DIALECT, owner: principal.accountId })
        if (count >= options.maxNamespaces) {
          throw invalid(`This account already has the maximum of ${options.maxNamespaces} namespaces.`)
        }
        const { title, jurisdiction } = input.value
        const ns = await engine.namespaces.create<NamespaceSettings>({
          dialect: DIALECT,
          // Upstream's format: 32 lowercase hex characters.
          id: randomString(HEX, 32),
          owner: principal.accountId,
          title,
          settings: jurisdiction ? { jurisdiction } : {},
        })
        return ok(namespaceJson(ns))
      },
      { parse: 'none' },
    )
    .get(`${NS}/:namespace_id`, async ({ request, params }: RouteContext) =>
      ok(namespaceJson(await kv.namespaceOf({ request, params }))),
    )
    .put(
      `${NS}/:namespace_id`,
      async ({ request, params }: RouteContext) => {
        const ns = await kv.namespaceOf({ request, params })
        const input = parse(RenameNamespace, await kv.jsonBody(request))
        if (!input.ok) throw invalid(input.message)
        const renamed = await engine.namespaces.update<NamespaceSettings>(ns.id, { title: input.value.title })
        return ok(namespaceJson(renamed))
      },
      { parse: 'none' },
    )
    .delete(
      `${NS}/:namespace_id`,
      async ({ request, params }: RouteContext) => {
        const ns = await kv.namespaceOf({ request, params })
        if (!(await engine.namespaces.delete(ns.id))) throw namespaceNotFound()
        return ok(null)
      },
      { parse: 'none' },
    )
}

function namespaceJson(ns: Namespace<NamespaceSettings>) {
  const json: { id: string; title: string; supports_url_encoding: true; jurisdiction?: string } = {
    id: ns.id,
    title: ns.title ?? '',
    supports_url_encoding: true,
  }
  if (ns.settings.jurisdiction) json.jurisdiction = ns.settings.jurisdiction
  return json
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
