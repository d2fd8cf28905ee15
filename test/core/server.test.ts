import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { echoDialect } from '../support/echo-dialect.ts'
import { ADMIN_TOKEN, type TestKvgate, testKvgate } from '../support/kvgate.ts'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const opened: TestKvgate[] = []
const open = (env: Record<string, string> = {}) => {
  const kvgate = testKvgate([echoDialect], env)
  opened.push(kvgate)
  return kvgate
}
afterAll(async () => {
  for (const kvgate of opened) await kvgate.close()
})

describe('core routes', () => {
  test('GET /healthz checks the store', async () => {
    const response = await open().fetch('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', backend: 'sqlite' })
  })

  test('GET /healthz answers 503 when the store is gone', async () => {
    const kvgate = testKvgate([echoDialect])
    await kvgate.engine.close()
    const response = await kvgate.fetch('/healthz')
    expect(response.status).toBe(503)
    expect((await response.json()).status).toBe('unavailable')
  })

  test('every response carries a fresh request id', async () => {
    const kvgate = open()
    const [a, b] = await Promise.all([kvgate.fetch('/healthz'), kvgate.fetch('/nothing-here')])
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
  })

  test('GET /metrics counts requests by dialect, route and status, with a latency histogram', async () => {
    const kvgate = open()
    const { credentials } = await kvgate.createAccount('echo')
    await kvgate.fetch('/echo/whoami', { headers: { authorization: `Bearer ${credentials.api_key}` } })
    await kvgate.fetch('/echo/whoami')
    const text = await (await kvgate.fetch('/metrics')).text()
    expect(text).toContain(
      'kvgate_http_requests_total{dialect="echo",route="/echo/whoami",method="GET",status="200"} 1',
    )
    expect(text).toContain(
      'kvgate_http_requests_total{dialect="echo",route="/echo/whoami",method="GET",status="401"} 1',
    )
    expect(text).toContain('kvgate_http_request_duration_seconds_bucket{le="0.005",dialect="echo"}')
  })

  test('engine errors are counted', async () => {
    const kvgate = open()
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    await kvgate.fetch(`/echo/items/${'k'.repeat(5000)}`, { method: 'PUT', headers: auth, body: 'v' })
    expect(await (await kvgate.fetch('/metrics')).text()).toContain(
      'kvgate_engine_errors_total{code="too_large"} 1',
    )
  })
})

describe('mounting dialects', () => {
  test('by path prefix: the default one, or another from KVGATE_ROUTES', async () => {
    const defaults = open()
    const { credentials } = await defaults.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    expect((await defaults.fetch('/echo/whoami', { headers: auth })).status).toBe(200)

    const moved = open({ KVGATE_ROUTES: 'echo=/api/v2' })
    const other = await moved.createAccount('echo')
    const response = await moved.fetch('/api/v2/whoami', {
      headers: { authorization: `Bearer ${other.credentials.api_key}` },
    })
    expect(await response.json()).toEqual({ account: other.account_id, mount: '/api/v2' })
    expect((await moved.fetch('/echo/whoami')).status).toBe(404)
  })

  test('by Host: the same dialect at the root of its own host name, and at a prefix too', async () => {
    const kvgate = open({ KVGATE_ROUTES: 'echo=echo.example.test|/echo' })
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    const byHost = await kvgate.fetch('/whoami', { host: 'Echo.Example.Test:8787', headers: auth })
    expect(byHost.status).toBe(200)
    expect((await byHost.json()).mount).toBe('')
    expect((await kvgate.fetch('/echo/whoami', { host: 'elsewhere.test', headers: auth })).status).toBe(200)
    expect((await kvgate.fetch('/whoami', { host: 'elsewhere.test', headers: auth })).status).toBe(404)
    expect((await kvgate.fetch('/healthz', { host: 'echo.example.test' })).status).toBe(200)
  })

  test('any Host routes by path, however short (Elysia looks for the path from the 12th character)', async () => {
    const kvgate = open()
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    for (const host of ['a', 'kv', 'abc', 'kv:80', 'db:8787', '[::1]', 'localhost']) {
      expect({ host, status: (await kvgate.fetch('/healthz', { host })).status }).toEqual({
        host,
        status: 200,
      })
      const whoami = await kvgate.fetch('/echo/whoami', { host, headers: auth })
      expect({ host, status: whoami.status }).toEqual({ host, status: 200 })
    }
  })

  test('a host name and a prefix together', async () => {
    const kvgate = open({ KVGATE_ROUTES: 'echo=api.example.test/echo/v1' })
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    expect((await kvgate.fetch('/echo/v1/whoami', { host: 'api.example.test', headers: auth })).status).toBe(
      200,
    )
    expect((await kvgate.fetch('/echo/v1/whoami', { host: 'other.test', headers: auth })).status).toBe(404)
  })

  test("unknown routes under a dialect answer in that dialect's shape; elsewhere in the core's", async () => {
    const kvgate = open()
    const inside = await kvgate.fetch('/echo/no/such/route')
    expect(inside.status).toBe(404)
    expect(await inside.json()).toHaveProperty('echo_error')
    const outside = await kvgate.fetch('/nowhere')
    expect(outside.status).toBe(404)
    expect(await outside.json()).toEqual({ error: 'not found' })
  })

  test('an unexpected error is a 500 with the request id and no stack trace', async () => {
    const response = await open().fetch('/echo/boom')
    expect(response.status).toBe(500)
    const body = await response.json()
    expect(body).toEqual({ echo_error: 'internal', request_id: response.headers.get('x-request-id') })
  })
})

describe('request bodies', () => {
  test('a declared Content-Length over the dialect limit is refused with 413 before routing', async () => {
    const kvgate = open({ KVGATE_ECHO_MAX_VALUE_BYTES: '10' })
    let pulled = 0
    const body = new ReadableStream({
      pull(controller) {
        pulled++
        if (pulled === 100) controller.close()
        else controller.enqueue(new Uint8Array(1))
      },
    })
    const response = await kvgate.fetch('/echo/items/k', {
      method: 'PUT',
      headers: { 'content-length': '100' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toHaveProperty('echo_error')
    // At most the stream's own read-ahead: the server never read the body.
    expect(pulled).toBeLessThan(3)
  })

  test('a streamed body without a length is cut off at the limit', async () => {
    const kvgate = open({ KVGATE_ECHO_MAX_VALUE_BYTES: '10' })
    const { credentials } = await kvgate.createAccount('echo')
    let chunks = 0
    const body = new ReadableStream({
      pull(controller) {
        chunks++
        if (chunks > 1000) controller.close()
        else controller.enqueue(new Uint8Array(8))
      },
    })
    const response = await kvgate.fetch('/echo/items/k', {
      method: 'PUT',
      headers: { authorization: `Bearer ${credentials.api_key}` },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(chunks).toBeLessThan(10)
  })
})

describe('CORS', () => {
  test("a preflight answers 204 with the dialect's headers and needs no credential", async () => {
    const response = await open().fetch('/echo/items/k', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toContain('PUT')
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, X-Echo')
    expect(response.headers.get('x-request-id')).toBeTruthy()
  })

  test('every answer allows any origin and exposes what the dialect names', async () => {
    const kvgate = open()
    const { credentials } = await kvgate.createAccount('echo')
    const response = await kvgate.fetch('/echo/items/k', {
      method: 'PUT',
      headers: { authorization: `Bearer ${credentials.api_key}` },
      body: 'v',
    })
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Echo-Version, X-Request-ID')
  })
})

describe('admin API and credentials', () => {
  test('create, list, rotate and delete accounts; secrets are shown once', async () => {
    const kvgate = open()
    const created = await kvgate.fetch('/admin/accounts', {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ dialect: 'echo', name: 'shop' }),
    })
    expect(created.status).toBe(201)
    const account = await created.json()
    expect(account).toEqual({
      account_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      dialect: 'echo',
      credentials: { api_key: expect.stringMatching(/^kvg_[0-9A-Za-z]{44}$/) },
    })

    const listed = await (await kvgate.fetch('/admin/accounts', { headers: admin })).json()
    expect(listed).toEqual([
      { account_id: account.account_id, dialect: 'echo', name: 'shop', created_at: expect.any(String) },
    ])
    expect(JSON.stringify(listed)).not.toContain(account.credentials.api_key)

    const auth = (key: string) => ({ authorization: `Bearer ${key}` })
    expect((await kvgate.fetch('/echo/whoami', { headers: auth(account.credentials.api_key) })).status).toBe(
      200,
    )
    const rotated = await kvgate.fetch(`/admin/accounts/${account.account_id}/rotate`, {
      method: 'POST',
      headers: admin,
    })
    expect(rotated.status).toBe(200)
    const fresh = (await rotated.json()).credentials.api_key
    expect((await kvgate.fetch('/echo/whoami', { headers: auth(account.credentials.api_key) })).status).toBe(
      401,
    )
    expect((await kvgate.fetch('/echo/whoami', { headers: auth(fresh) })).status).toBe(200)

    const deleted = await kvgate.fetch(`/admin/accounts/${account.account_id}`, {
      method: 'DELETE',
      headers: admin,
    })
    expect(deleted.status).toBe(204)
    expect((await kvgate.fetch('/echo/whoami', { headers: auth(fresh) })).status).toBe(401)
    expect(await (await kvgate.fetch('/admin/accounts', { headers: admin })).json()).toEqual([])
    const again = await kvgate.fetch(`/admin/accounts/${account.account_id}`, {
      method: 'DELETE',
      headers: admin,
    })
    expect(again.status).toBe(404)
  })

  test('an account that is a namespace gets one, and deleting the account drops its data', async () => {
    const kvgate = open()
    const { account_id, credentials } = await kvgate.createAccount('echo')
    expect(await kvgate.engine.namespaces.get(account_id)).toMatchObject({
      dialect: 'echo',
      owner: account_id,
    })
    await kvgate.fetch('/echo/items/a', {
      method: 'PUT',
      headers: { authorization: `Bearer ${credentials.api_key}` },
      body: 'x',
    })
    await kvgate.fetch(`/admin/accounts/${account_id}`, { method: 'DELETE', headers: admin })
    await kvgate.engine.namespaces.drainDeleted()
    expect(await kvgate.engine.namespaces.get(account_id)).toBeNull()
    expect(await kvgate.engine.count(account_id)).toBe(0)
  })

  test('a credential of one dialect, a forged one or a mangled one is refused', async () => {
    const kvgate = open()
    const { credentials } = await kvgate.createAccount('echo')
    const key = credentials.api_key!
    for (const wrong of [
      // The last character swapped for a different one, whatever it was.
      `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`,
      key.slice(0, -1),
      'kvg_',
      '',
      `${key}x`,
      key.replace('kvg_', 'kvx_'),
    ]) {
      expect(await kvgate.accounts.verify(wrong, 'echo')).toBeNull()
    }
    expect(await kvgate.accounts.verify(key, 'other-dialect')).toBeNull()
    expect(await kvgate.accounts.verify(key, 'echo')).toMatchObject({ role: 'full' })
  })

  test('bad requests: no token, wrong token, unknown dialect, bad JSON, unknown which', async () => {
    const kvgate = open()
    expect((await kvgate.fetch('/admin/accounts')).status).toBe(401)
    expect(
      (await kvgate.fetch('/admin/accounts', { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401)
    const post = (body: string) => kvgate.fetch('/admin/accounts', { method: 'POST', headers: admin, body })
    const unknown = await post('{"dialect":"nope"}')
    expect(unknown.status).toBe(400)
    expect((await unknown.json()).error).toContain('echo')
    expect((await post('{"dialect":')).status).toBe(400)
    expect((await post('{}')).status).toBe(400)
    expect((await post('[]')).status).toBe(400)
    const { account_id } = await kvgate.createAccount('echo')
    const rotate = await kvgate.fetch(`/admin/accounts/${account_id}/rotate`, {
      method: 'POST',
      headers: admin,
      body: '{"which":"read"}',
    })
    expect(rotate.status).toBe(400)
    expect(
      (await kvgate.fetch('/admin/accounts/ffff/rotate', { method: 'POST', headers: admin })).status,
    ).toBe(404)
  })

  test('admin errors answer JSON {error} with the reason, and the token may have spaces around it', async () => {
    const kvgate = open()
    const answer = async (response: Response) => [response.status, await response.json()]
    const post = (path: string, body?: string) => kvgate.fetch(path, { method: 'POST', headers: admin, body })
    expect(await answer(await kvgate.fetch('/admin/accounts'))).toEqual([
      401,
      { error: 'admin token required' },
    ])
    expect(
      await answer(await kvgate.fetch('/admin/accounts', { headers: { authorization: ADMIN_TOKEN } })),
    ).toEqual([401, { error: 'admin token required' }])
    expect(
      (await kvgate.fetch('/admin/accounts', { headers: { authorization: `Bearer  ${ADMIN_TOKEN} ` } }))
        .status,
    ).toBe(200)
    for (const body of ['{}', undefined]) {
      expect(await answer(await post('/admin/accounts', body))).toEqual([
        400,
        { error: expect.stringContaining('"dialect"') },
      ])
    }
    expect(await answer(await post('/admin/accounts', '{"dialect":5}'))).toEqual([
      400,
      { error: expect.stringContaining('"dialect" is required') },
    ])
    const malformed = await answer(await post('/admin/accounts', '{"dialect":'))
    expect(malformed).toEqual([400, { error: expect.any(String) }])
    expect(await answer(await post('/admin/accounts', '{"dialect":"nope"}'))).toEqual([
      400,
      { error: '"dialect" must be one of: echo' },
    ])
    expect(await answer(await post(`/admin/accounts/${'f'.repeat(32)}/rotate`))).toEqual([
      404,
      { error: 'account not found' },
    ])
    expect(
      await answer(
        await kvgate.fetch(`/admin/accounts/${'f'.repeat(32)}`, { method: 'DELETE', headers: admin }),
      ),
    ).toEqual([404, { error: 'account not found' }])
    expect(await answer(await kvgate.fetch('/admin/nothing-here', { headers: admin }))).toEqual([
      404,
      { error: 'not found' },
    ])
    // The body is read as JSON whatever its type: a form-encoded body is not taken apart.
    const typed = await kvgate.fetch('/admin/accounts', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ dialect: 'echo' }),
    })
    expect(typed.status).toBe(201)
  })

  test('without KVGATE_ADMIN_TOKEN the admin API does not exist', async () => {
    const kvgate = open({ KVGATE_ADMIN_TOKEN: '' })
    expect((await kvgate.fetch('/admin/accounts', { headers: admin })).status).toBe(404)
  })

  test('two kvgate processes on one store see the same accounts and rotations at once', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kvgate-')), 'shared.db')
    const first = open({ KVGATE_DATA: data })
    const second = open({ KVGATE_DATA: data })
    const { credentials, account_id } = await first.createAccount('echo')
    const auth = (key: string) => ({ authorization: `Bearer ${key}` })
    await first.fetch('/echo/items/shared', {
      method: 'PUT',
      headers: auth(credentials.api_key!),
      body: 'hello',
    })
    const read = await second.fetch('/echo/items/shared', { headers: auth(credentials.api_key!) })
    expect(await read.text()).toBe('hello')
    await second.fetch(`/admin/accounts/${account_id}/rotate`, { method: 'POST', headers: admin })
    expect((await first.fetch('/echo/whoami', { headers: auth(credentials.api_key!) })).status).toBe(401)
  })
})
