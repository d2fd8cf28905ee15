// The OpenAPI documents and the index at GET /: every route each router declares is in its
// document and every documented operation is a declared route; each served document is OpenAPI
// 3.1.0 with `servers` naming where the dialect is mounted, and passes a standard validator
// (the OpenAPI schema of its version); GET / lists what is mounted.

import { afterAll, describe, expect, test } from 'bun:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import { adminApi } from '../../core/admin/api.ts'
import { adminOpenApi } from '../../core/admin/openapi.ts'
import type { Dialect } from '../../core/dialect.ts'
import { CORE_ERRORS } from '../../core/http/core-errors.ts'
import { RequestPipeline } from '../../core/http/pipeline.ts'
import { DialectRouter } from '../../core/http/router.ts'
import { Metrics } from '../../core/metrics.ts'
import { OPENAPI_METHODS, type OpenApiDocument, routeShape } from '../../core/openapi.ts'
import { RateLimiter } from '../../core/rate-limit.ts'
import { dialects } from '../../plugins/index.ts'
import { ADMIN_TOKEN, type TestKvgate, testKvgate } from '../support/kvgate.ts'

const kvgates: TestKvgate[] = []
const metrics = new Metrics()
afterAll(async () => {
  metrics.close()
  for (const kvgate of kvgates) await kvgate.close()
})
const open = (env: Record<string, string> = {}) => {
  const kvgate = testKvgate(dialects, env)
  kvgates.push(kvgate)
  return kvgate
}

const pipeline = (kvgate: TestKvgate, name: string) =>
  new RequestPipeline({
    name,
    errors: CORE_ERRORS,
    cors: { allowHeaders: [], exposeHeaders: [] },
    maxBodyBytes: 1024,
    metrics,
    log: kvgate.log,
  })

/** "GET /kv/{}" for every route a router declares (HEAD is implied by GET, so left out). */
const declared = (router: DialectRouter) =>
  new Set(router.routes().map((route) => `${route.method} ${routeShape(route.path)}`))

/** The same for every operation a document describes. */
const documented = (document: OpenApiDocument) =>
  new Set(
    Object.entries(document.paths).flatMap(([path, item]) =>
      OPENAPI_METHODS.filter((method) => item[method]).map(
        (method) => `${method.toUpperCase()} ${routeShape(path)}`,
      ),
    ),
  )

const sorted = (set: Set<string>) => [...set].sort()

describe('each document describes exactly the routes its router declares', () => {
  const kvgate = open()
  for (const dialect of dialects) {
    test(dialect.name, () => {
      const router = new DialectRouter(
        '/x',
        pipeline(kvgate, dialect.name),
        `test:${dialect.name}`,
        dialect.name,
      )
      dialect.routes(router, {
        engine: kvgate.engine,
        config: kvgate.config,
        options: kvgate.config.dialects[dialect.name] ?? {},
        auth: kvgate.accounts,
        rateLimit: new RateLimiter(kvgate.engine),
        log: kvgate.log,
        scripting: kvgate.scripting,
      })
      expect(dialect.openapi).toBeDefined()
      expect(sorted(documented(dialect.openapi!))).toEqual(sorted(declared(router)))
    })
  }

  test('admin', () => {
    const core = pipeline(kvgate, 'core')
    const router = adminApi(core, {
      adminToken: ADMIN_TOKEN,
      engine: kvgate.engine,
      accounts: kvgate.accounts,
      metrics,
      watch: kvgate.config.watch,
    })
    expect(sorted(documented(adminOpenApi))).toEqual(sorted(declared(router)))
  })

  test('a route added to a router and missing from its document is found', () => {
    const router = new DialectRouter('/x', pipeline(kvgate, 'probe'), 'test:probe', 'probe')
    router.get('/kv/items', () => new Response()).get('/kv/extra/*', () => new Response())
    const rocketstack = dialects.find((dialect) => dialect.name === 'rocketstack')!
    expect(sorted(documented(rocketstack.openapi!))).not.toEqual(sorted(declared(router)))
  })
})

/** Validates each document against the OpenAPI schema of its version: name -> problem or null. */
async function validate(documents: Record<string, unknown>): Promise<Record<string, string | null>> {
  const results: Record<string, string | null> = {}
  for (const [name, document] of Object.entries(documents)) {
    const result = await new Validator().validate(structuredClone(document) as Record<string, unknown>)
    results[name] = result.valid ? null : JSON.stringify(result.errors).slice(0, 300)
  }
  return results
}

describe('served documents', () => {
  const kvgate = open()
  const names = [...dialects.map((dialect) => dialect.name), 'admin']

  test('every mounted dialect and the admin API: JSON, OpenAPI 3.1.0, servers at the mount', async () => {
    for (const name of names) {
      const response = await kvgate.fetch(`/openapi/${name}.json`)
      expect({ name, status: response.status }).toEqual({ name, status: 200 })
      expect(response.headers.get('content-type')).toBe('application/json')
      const document = JSON.parse(await response.text())
      expect(document.openapi).toBe('3.1.0')
      expect(document.info.title).toBeTruthy()
      const dialect = dialects.find((each) => each.name === name)
      expect(document.servers).toEqual([{ url: dialect ? dialect.defaultPrefix : '/admin' }])
    }
    expect((await kvgate.fetch('/openapi/nothing.json')).status).toBe(404)
  })

  test('each document passes the OpenAPI schema validator, which does refuse a broken one', async () => {
    const documents: Record<string, unknown> = {}
    for (const name of names) documents[name] = await (await kvgate.fetch(`/openapi/${name}.json`)).json()
    // A parameter that is neither in the path, query, header nor cookie: what the schema must catch.
    const broken = structuredClone(documents.rocketstack) as OpenApiDocument
    broken.paths['/kv/items/{key}']!.get!.parameters = [{ name: 'key', in: 'body' } as never]
    const results = await validate({ ...documents, broken })
    expect(results.broken).toBeString()
    delete results.broken
    expect(results).toEqual(Object.fromEntries(names.map((name) => [name, null])))
  }, 60_000)

  test('servers follow KVGATE_ROUTES; an unmounted dialect has no document, and no admin one without the token', async () => {
    const moved = open({
      KVGATE_ROUTES: 'kvdb=/k,lightkv=lightkv.example',
      KVGATE_DIALECTS: 'kvdb,lightkv',
      KVGATE_ADMIN_TOKEN: '',
    })
    expect((await (await moved.fetch('/openapi/kvdb.json')).json()).servers).toEqual([{ url: '/k' }])
    expect((await (await moved.fetch('/openapi/lightkv.json')).json()).servers).toEqual([
      { url: '//lightkv.example/' },
    ])
    expect((await moved.fetch('/openapi/rocketstack.json')).status).toBe(404)
    expect((await moved.fetch('/openapi/admin.json')).status).toBe(404)
  })
})

describe('GET /', () => {
  test('JSON for API clients: version, backend, each mounted dialect with its base URL, the console and documents', async () => {
    const kvgate = open()
    const response = await kvgate.fetch('/')
    expect(response.status).toBe(200)
    const index = await response.json()
    expect(index).toMatchObject({
      name: 'kvgate',
      backend: 'sqlite',
      console: '/admin/',
      health: '/healthz',
      metrics: '/metrics',
    })
    expect(index.dialects).toEqual(
      dialects.map((dialect: Dialect) => ({
        name: dialect.name,
        base_url: dialect.defaultPrefix,
        openapi: `/openapi/${dialect.name}.json`,
      })),
    )
    expect(index.openapi).toContain('/openapi/admin.json')
    for (const link of [index.console, index.health, ...index.openapi]) {
      expect({ link, status: (await kvgate.fetch(link)).status }).toEqual({ link, status: 200 })
    }
  })

  test('a small HTML page for a browser, with nothing it could run', async () => {
    const kvgate = open()
    const response = await kvgate.fetch('/', { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await response.text()
    expect(page).toContain('<a href="/admin/">Web console</a>')
    expect(page).toContain('<code>/client/v4</code>')
    expect(page).not.toContain('<script')
  })

  test('where a dialect is mounted at the root of a host, "/" on that host is the dialect\'s', async () => {
    const kvgate = open({ KVGATE_ROUTES: 'kvdb=kvdb.example' })
    const onHost = await kvgate.fetch('/', { host: 'kvdb.example', method: 'POST', body: '' })
    expect(onHost.status).toBe(200)
    expect(await onHost.text()).toMatch(/^[1-9A-HJ-NP-Za-km-z]{22}$/)
    const elsewhere = await kvgate.fetch('/')
    expect((await elsewhere.json()).dialects).toContainEqual({
      name: 'kvdb',
      base_url: '//kvdb.example/',
      openapi: '/openapi/kvdb.json',
    })
  })
})
