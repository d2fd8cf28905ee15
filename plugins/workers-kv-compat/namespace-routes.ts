// Namespaces: list (paged, ordered), create (unique title per account), get, rename and delete.

import type { Namespace } from '../../core/engine/namespaces.ts'
import type { Call } from '../../core/http/call.ts'
import { HEX, randomString } from '../../core/ids.ts'
import { watchResponse } from '../../core/watch/index.ts'
import { DIALECT } from './auth.ts'
import { ok, paged } from './envelope.ts'
import { invalid, namespaceNotFound } from './errors.ts'
import { type NamespaceSettings, NS, type RouteGroup } from './kv-context.ts'
import { CreateNamespace, parse, RenameNamespace } from './schemas.ts'
import { pageParam } from './validate.ts'

export const namespaceRoutes: RouteGroup = (router, kv) => {
  const { engine, options } = kv
  const list = async (call: Call) => {
    const principal = await kv.caller(call)
    const { query } = call
    const page = pageParam(query, 'page', 1)
    const perPage = pageParam(query, 'per_page', 20, 1000)
    const order = query.get('order') || 'title'
    const direction = query.get('direction') || 'asc'
    if (order !== 'id' && order !== 'title') throw invalid(`Invalid order of ${order}. Use "id" or "title".`)
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
  }
  const create = async (call: Call) => {
    const principal = await kv.caller(call)
    const { title, jurisdiction } = parse(CreateNamespace, await kv.jsonBody(call.request))
    const count = await engine.namespaces.count({ dialect: DIALECT, owner: principal.accountId })
    if (count >= options.maxNamespaces) {
      throw invalid(`This account already has the maximum of ${options.maxNamespaces} namespaces.`)
    }
    const ns = await engine.namespaces.create<NamespaceSettings>({
      dialect: DIALECT,
      // Upstream's format: 32 lowercase hex characters.
      id: randomString(HEX, 32),
      owner: principal.accountId,
      title,
      settings: jurisdiction ? { jurisdiction } : {},
    })
    return ok(namespaceJson(ns))
  }
  // The seed document's own example creates with a trailing slash.
  router
    .get(NS, list)
    .get(`${NS}/`, list)
    .post(NS, create)
    .post(`${NS}/`, create)
    .get(`${NS}/:namespace_id`, async (call) => ok(namespaceJson(await kv.namespaceOf(call))))
    .put(`${NS}/:namespace_id`, async (call) => {
      const ns = await kv.namespaceOf(call)
      const { title } = parse(RenameNamespace, await kv.jsonBody(call.request))
      return ok(namespaceJson(await engine.namespaces.update<NamespaceSettings>(ns.id, { title })))
    })
    // The namespace's change feed (core/watch); keys live under .../values/, so none is read as it.
    .get(`${NS}/:namespace_id/watch`, async (call) => {
      const ns = await kv.namespaceOf(call)
      return watchResponse(engine, ns.id, call, kv.watch, { invalid: (message) => invalid(message) })
    })
    .delete(`${NS}/:namespace_id`, async (call) => {
      const ns = await kv.namespaceOf(call)
      if (!(await engine.namespaces.delete(ns.id))) throw namespaceNotFound()
      return ok(null)
    })
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
