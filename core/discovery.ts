// What a client or a person can find from the server itself: GET / answers an index of what is
// mounted (JSON for API clients, a small HTML page for a browser), and /openapi/<name>.json serves
// each mounted dialect's OpenAPI document, and the admin API's when the admin API is on.

import { adminOpenApi } from './admin/openapi.ts'
import type { Config } from './config.ts'
import type { Dialect } from './dialect.ts'
import type { Engine } from './engine/engine.ts'
import type { DialectRouter } from './http/router.ts'
import { type OpenApiDocument, servedDocument } from './openapi.ts'
import type { Mount } from './routes.ts'
import { VERSION } from './version.ts'

/** Where a mount answers: its path on any host, or its own host (scheme-relative). */
const baseUrlOf = (mount: Mount) =>
  mount.host ? `//${mount.host}${mount.prefix || '/'}` : mount.prefix || '/'

const JSON_HEADERS = { 'cache-control': 'no-cache' }

export interface DiscoveryParts {
  config: Config
  engine: Engine
  dialects: Dialect[]
  /** Whether this app has a mount at the root of its host: then "/" is that dialect's. */
  rootTaken: boolean
}

/** The OpenAPI documents this server serves, by name, with `servers` naming the mounts. */
export function servedDocuments(config: Config, dialects: Dialect[]): Map<string, OpenApiDocument> {
  const documents = new Map<string, OpenApiDocument>()
  for (const dialect of dialects) {
    const mounts = config.mounts.filter((mount) => mount.dialect === dialect.name)
    if (mounts.length === 0 || !dialect.openapi) continue
    documents.set(dialect.name, servedDocument(dialect.openapi, mounts.map(baseUrlOf)))
  }
  if (config.adminToken) documents.set('admin', servedDocument(adminOpenApi, ['/admin']))
  return documents
}

export function discoveryRoutes(router: DialectRouter, parts: DiscoveryParts): DialectRouter {
  const { config, engine } = parts
  const documents = servedDocuments(config, parts.dialects)
  for (const [name, document] of documents) {
    const body = JSON.stringify(document)
    router.get(
      `/openapi/${name}.json`,
      () => new Response(body, { headers: { 'content-type': 'application/json', ...JSON_HEADERS } }),
    )
  }
  if (parts.rootTaken) return router
  return router.get('/', (call) => {
    const index = {
      name: 'kvgate',
      version: VERSION,
      backend: engine.backendName,
      dialects: config.mounts.map((mount) => ({
        name: mount.dialect,
        base_url: baseUrlOf(mount),
        openapi: documents.has(mount.dialect) ? `/openapi/${mount.dialect}.json` : null,
      })),
      console: config.adminToken ? '/admin/' : null,
      admin_api: config.adminToken ? '/admin' : null,
      openapi: [...documents.keys()].map((name) => `/openapi/${name}.json`),
      health: '/healthz',
      metrics: '/metrics',
    }
    const accept = call.request.headers.get('accept') ?? ''
    if (!accept.includes('text/html')) return Response.json(index, { headers: JSON_HEADERS })
    return new Response(indexPage(index), {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        ...JSON_HEADERS,
      },
    })
  })
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
const link = (href: string, text = href) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`

function indexPage(index: {
  version: string
  backend: string
  dialects: Array<{ name: string; base_url: string; openapi: string | null }>
  console: string | null
  openapi: string[]
  health: string
  metrics: string
}): string {
  const rows = index.dialects
    .map(
      (dialect) =>
        `<tr><td>${escapeHtml(dialect.name)}</td><td><code>${escapeHtml(dialect.base_url)}</code></td><td>${
          dialect.openapi ? link(dialect.openapi, 'OpenAPI') : ''
        }</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kvgate</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:44rem;padding:0 1rem}td{padding:.2rem 1rem .2rem 0}</style>
</head><body>
<h1>kvgate</h1>
<p>Version ${escapeHtml(index.version)} on ${escapeHtml(index.backend)}.</p>
<h2>Dialects</h2>
<table><tr><th align="left">Dialect</th><th align="left">Base URL</th><th></th></tr>
${rows}
</table>
<h2>More</h2>
<ul>
${index.console ? `<li>${link(index.console, 'Web console')}</li>` : '<li>Web console: off (set KVGATE_ADMIN_TOKEN)</li>'}
${index.openapi.map((href) => `<li>${link(href)}</li>`).join('\n')}
<li>${link(index.health)}</li>
<li>${link(index.metrics)}</li>
</ul>
</body></html>
`
}
