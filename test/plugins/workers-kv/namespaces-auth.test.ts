// Workers KV over HTTP: namespaces, account lookups, authentication and routing, in the v4 envelope.

import { afterAll, expect, test } from 'bun:test'
import { ADMIN_TOKEN, type TestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { createNamespace, expectError, expectOk, MOUNTS, newAccount, openKvgate } from './helpers.ts'

describeEachStoreAndMount('workers-kv namespaces and auth', MOUNTS, (store, mount) => {
  const opened: TestKvgate[] = []
  const open = (env: Record<string, string> = {}) => {
    const kvgate = openKvgate(store, env, undefined, mount)
    opened.push(kvgate)
    return kvgate
  }
  afterAll(async () => {
    for (const kvgate of opened) await kvgate.close()
  })
  const kv = open()
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    kv.fetch(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })

  // --- The seed document's examples ---

  test('seed: create a namespace with X-Auth-Email and X-Auth-Key', async () => {
    const account = await newAccount(kv)
    const response = await post(
      `${account.ns}/`,
      { 'X-Auth-Email': 'me@example.com', 'X-Auth-Key': account.token, 'Content-Type': 'application/json' },
      '{"title": "My First Namespace"}',
    )
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const { result, messages } = await expectOk(response)
    expect(messages).toEqual([])
    expect(result).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      title: 'My First Namespace',
      supports_url_encoding: true,
    })
  })

  test('seed: titles are unique within an account (400 10014, never 409), not across accounts', async () => {
    const [a, b] = [await newAccount(kv), await newAccount(kv)]
    await createNamespace(kv, a, 'shared title')
    await expectError(
      await post(a.ns, a.auth, { title: 'shared title' }),
      400,
      10014,
      'a namespace with this account ID and title already exists',
    )
    await createNamespace(kv, b, 'shared title')
  })

  test('seed: list, rename (unique) and delete namespaces', async () => {
    const account = await newAccount(kv)
    const first = await createNamespace(kv, account, 'first')
    const second = await createNamespace(kv, account, 'second')
    const listed = await expectOk(await kv.fetch(account.ns, { headers: account.auth }))
    expect(listed.result.map((ns: { title: string }) => ns.title)).toEqual(['first', 'second'])
    expect(listed.result_info).toEqual({ page: 1, per_page: 20, count: 2, total_count: 2, total_pages: 1 })

    const renamed = await expectOk(
      await kv.fetch(`${account.ns}/${first}`, {
        method: 'PUT',
        headers: account.auth,
        body: '{"title":"renamed"}',
      }),
    )
    expect(renamed.result).toEqual({ id: first, title: 'renamed', supports_url_encoding: true })
    await expectError(
      await kv.fetch(`${account.ns}/${first}`, {
        method: 'PUT',
        headers: account.auth,
        body: '{"title":"second"}',
      }),
      400,
      10014,
    )
    // The old title is free again.
    await createNamespace(kv, account, 'first')

    expect(
      (await expectOk(await kv.fetch(`${account.ns}/${second}`, { method: 'DELETE', headers: account.auth })))
        .result,
    ).toBeNull()
    await expectError(
      await kv.fetch(`${account.ns}/${second}`, { headers: account.auth }),
      404,
      10013,
      'namespace not found',
    )
    await expectError(
      await kv.fetch(`${account.ns}/${second}`, { method: 'DELETE', headers: account.auth }),
      404,
      10013,
    )
    await expectError(
      await kv.fetch(`${account.ns}/${second}/values/k`, { headers: account.auth }),
      404,
      10013,
    )
    await createNamespace(kv, account, 'second')
  })

  test('get a namespace; jurisdiction is echoed', async () => {
    const account = await newAccount(kv)
    const created = await expectOk(
      await post(account.ns, account.auth, { title: 'eu data', jurisdiction: 'eu' }),
    )
    expect(created.result.jurisdiction).toBe('eu')
    const got = await expectOk(
      await kv.fetch(`${account.ns}/${created.result.id}`, { headers: account.auth }),
    )
    expect(got.result).toEqual(created.result)
  })

  test('namespace paging, order and direction; a page past the end is 200 with []', async () => {
    const account = await newAccount(kv)
    const ids: Record<string, string> = {}
    for (const title of ['delta', 'alpha', 'echo', 'charlie', 'bravo'])
      ids[title] = await createNamespace(kv, account, title)
    const page = async (query: string) =>
      expectOk(await kv.fetch(`${account.ns}?${query}`, { headers: account.auth }))
    const titles = (body: { result: Array<{ title: string }> }) => body.result.map((ns) => ns.title)

    const one = await page('per_page=2&page=1')
    expect(titles(one)).toEqual(['alpha', 'bravo'])
    expect(one.result_info).toEqual({ page: 1, per_page: 2, count: 2, total_count: 5, total_pages: 3 })
    expect(titles(await page('per_page=2&page=3'))).toEqual(['echo'])
    const past = await page('per_page=2&page=4')
    expect(past.result).toEqual([])
    expect(past.result_info).toEqual({ page: 4, per_page: 2, count: 0, total_count: 5, total_pages: 3 })
    expect(titles(await page('order=title&direction=desc'))).toEqual([
      'echo',
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ])
    const byId = Object.entries(ids)
      .sort(([, a], [, b]) => (a < b ? -1 : 1))
      .map(([title]) => title)
    expect(titles(await page('order=id&direction=asc'))).toEqual(byId)
    // wrangler's own query.
    expect(titles(await page('per_page=1000&order=title&direction=asc&page=1'))).toHaveLength(5)
  })

  test('namespace list: bad paging parameters are 400', async () => {
    const account = await newAccount(kv)
    for (const query of [
      'page=0',
      'page=abc',
      'per_page=0',
      'per_page=1001',
      'per_page=1.5',
      'order=size',
      'direction=up',
    ]) {
      await expectError(await kv.fetch(`${account.ns}?${query}`, { headers: account.auth }), 400, 10001)
    }
  })

  test('namespace create and rename: bad bodies are 400', async () => {
    const account = await newAccount(kv)
    const id = await createNamespace(kv, account, 'target')
    const bodies = [
      '',
      'not json',
      '[]',
      '{}',
      '{"title":7}',
      '{"title":""}',
      '{"title":"   "}',
      JSON.stringify({ title: 'x'.repeat(513) }),
      '{"title":"ok","jurisdiction":"mars"}',
    ]
    for (const body of bodies) {
      await expectError(await post(account.ns, account.auth, body), 400, 10001)
      if (!body.includes('jurisdiction')) {
        await expectError(
          await kv.fetch(`${account.ns}/${id}`, { method: 'PUT', headers: account.auth, body }),
          400,
          10001,
        )
      }
    }
    await createNamespace(kv, account, 'x'.repeat(512))
    await expectError(
      await kv.fetch(`${account.ns}/0123456789abcdef0123456789abcdef`, {
        method: 'PUT',
        headers: account.auth,
        body: '{"title":"t"}',
      }),
      404,
      10013,
    )
  })

  test('namespaces per account are limited (KVGATE_WORKERS_KV_MAX_NAMESPACES)', async () => {
    const small = open({ KVGATE_WORKERS_KV_MAX_NAMESPACES: '2' })
    const account = await newAccount(small)
    await createNamespace(small, account, 'one')
    await createNamespace(small, account, 'two')
    await expectError(
      await small.fetch(account.ns, { method: 'POST', headers: account.auth, body: '{"title":"three"}' }),
      400,
      10001,
      /maximum of 2 namespaces/,
    )
  })

  test("another account's namespace is not found through one's own account", async () => {
    const [a, b] = [await newAccount(kv), await newAccount(kv)]
    const id = await createNamespace(kv, b, 'private')
    await expectError(await kv.fetch(`${a.ns}/${id}`, { headers: a.auth }), 404, 10013)
    await expectError(await kv.fetch(`${a.ns}/${id}/keys`, { headers: a.auth }), 404, 10013)
    await expectError(await kv.fetch(`${a.ns}/not-a-namespace-id`, { headers: a.auth }), 404, 10013)
  })

  // --- Authentication ---

  test('missing or wrong credentials are 401 10000; a token of another account is 403 10000', async () => {
    const [a, b] = [await newAccount(kv), await newAccount(kv)]
    const id = await createNamespace(kv, a, 'mine')
    const paths = [
      a.ns,
      `${a.ns}/${id}`,
      `${a.ns}/${id}/keys`,
      `${a.ns}/${id}/values/k`,
      `${a.ns}/${id}/metadata/k`,
      // Credentials are checked before the key, so a caller without them learns nothing from it.
      `${a.ns}/${id}/values/${'k'.repeat(600)}`,
    ]
    for (const path of paths) {
      await expectError(await kv.fetch(path), 401, 10000, 'Authentication error')
      await expectError(await kv.fetch(path, { headers: { authorization: 'Bearer nope' } }), 401, 10000)
      await expectError(
        await kv.fetch(path, {
          headers: { authorization: `Bearer ${a.token.slice(0, -1)}${a.token.endsWith('x') ? 'y' : 'x'}` },
        }),
        401,
        10000,
      )
      await expectError(
        await kv.fetch(path, { headers: { authorization: 'Basic Zm9vOmJhcg==' } }),
        401,
        10000,
      )
      await expectError(await kv.fetch(path, { headers: b.auth }), 403, 10000, 'Authentication error')
    }
    for (const [method, suffix] of [
      ['POST', ''],
      ['PUT', `/${id}`],
      ['DELETE', `/${id}`],
      ['PUT', `/${id}/bulk`],
      ['POST', `/${id}/bulk/get`],
      ['POST', `/${id}/bulk/delete`],
      ['DELETE', `/${id}/bulk`],
      ['PUT', `/${id}/values/k`],
      ['DELETE', `/${id}/values/k`],
    ] as const) {
      await expectError(await kv.fetch(`${a.ns}${suffix}`, { method, body: '[]' }), 401, 10000)
      await expectError(
        await kv.fetch(`${a.ns}${suffix}`, { method, headers: b.auth, body: '[]' }),
        403,
        10000,
      )
    }
  })

  test('the X-Auth pair: both headers, a plausible address; one alone or empty is 400 6003', async () => {
    const account = await newAccount(kv)
    await expectOk(
      await kv.fetch(account.ns, { headers: { 'X-Auth-Email': 'a@b.c', 'X-Auth-Key': account.token } }),
    )
    const chain = async (headers: Record<string, string>, code: number, header: string) => {
      const body = await expectError(
        await kv.fetch(account.ns, { headers }),
        400,
        6003,
        'Invalid request headers',
      )
      expect((body.errors[0] as { error_chain?: unknown }).error_chain).toEqual([
        { code, message: `Invalid format for ${header} header` },
      ])
    }
    await chain({ 'X-Auth-Key': account.token }, 6102, 'X-Auth-Email')
    await chain({ 'X-Auth-Email': '', 'X-Auth-Key': account.token }, 6102, 'X-Auth-Email')
    await chain({ 'X-Auth-Email': 'no-at-sign', 'X-Auth-Key': account.token }, 6102, 'X-Auth-Email')
    await chain({ 'X-Auth-Email': 'a@b.c' }, 6103, 'X-Auth-Key')
    await chain({ 'X-Auth-Email': 'a@b.c', 'X-Auth-Key': '' }, 6103, 'X-Auth-Key')
    await expectError(
      await kv.fetch(account.ns, { headers: { 'X-Auth-Email': 'a@b.c', 'X-Auth-Key': 'wrong' } }),
      401,
      10000,
    )
  })

  test('a rotated token stops working at once', async () => {
    const account = await newAccount(kv)
    const response = await kv.fetch(`/admin/accounts/${account.id}/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const { credentials } = (await response.json()) as { credentials: { api_token: string } }
    await expectError(await kv.fetch(account.ns, { headers: account.auth }), 401, 10000)
    await expectOk(
      await kv.fetch(account.ns, { headers: { authorization: `Bearer ${credentials.api_token}` } }),
    )
  })

  test('tokens/verify answers for a valid token on either carrier; 401 1000 otherwise', async () => {
    const account = await newAccount(kv)
    const other = await newAccount(kv)
    for (const headers of [account.auth, { 'X-Auth-Email': 'x@y.z', 'X-Auth-Key': account.token }]) {
      for (const path of [
        '/client/v4/user/tokens/verify',
        `/client/v4/accounts/${account.id}/tokens/verify`,
      ]) {
        const body = await expectOk(await kv.fetch(path, { headers }))
        expect(body.result).toEqual({ id: expect.any(String), status: 'active' })
        expect(body.messages).toEqual([
          { code: 10000, message: 'This API Token is valid and active', type: null },
        ])
      }
    }
    await expectError(
      await kv.fetch('/client/v4/user/tokens/verify', { headers: { authorization: 'Bearer bad' } }),
      401,
      1000,
      'Invalid API Token',
    )
    await expectError(await kv.fetch('/client/v4/user/tokens/verify'), 401, 1000, 'Invalid API Token')
    await expectError(
      await kv.fetch(`/client/v4/accounts/${account.id}/tokens/verify`, { headers: other.auth }),
      403,
      10000,
    )
  })

  test("/accounts and /memberships list the credential's one account, paged", async () => {
    const account = await newAccount(kv, 'shop')
    const accounts = await expectOk(await kv.fetch('/client/v4/accounts?page=1', { headers: account.auth }))
    expect(accounts.result).toEqual([{ id: account.id, name: 'shop', type: 'standard' }])
    expect(accounts.result_info).toEqual({ page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 })
    const memberships = await expectOk(
      await kv.fetch('/client/v4/memberships?page=1', { headers: account.auth }),
    )
    expect(memberships.result).toEqual([
      { id: expect.any(String), status: 'accepted', account: { id: account.id, name: 'shop' } },
    ])
    const past = await expectOk(
      await kv.fetch('/client/v4/memberships?page=2&per_page=5', { headers: account.auth }),
    )
    expect(past.result).toEqual([])
    expect(past.result_info).toEqual({ page: 2, per_page: 5, count: 0, total_count: 1, total_pages: 1 })
    await expectError(await kv.fetch('/client/v4/accounts?page=0', { headers: account.auth }), 400, 10001)
    await expectError(await kv.fetch('/client/v4/accounts'), 401, 10000)
    await expectError(
      await kv.fetch('/client/v4/memberships', { headers: { authorization: 'Bearer x' } }),
      401,
      10000,
    )
  })

  test('unknown routes are 404 7003 with the path; a wrong method is 405 7001', async () => {
    const account = await newAccount(kv)
    await expectError(
      await kv.fetch('/client/v4/user', { headers: account.auth }),
      404,
      7003,
      'Could not route to /user',
    )
    await expectError(
      await kv.fetch(`/client/v4/accounts/${account.id}/nothing`, { headers: account.auth }),
      404,
      7003,
      `Could not route to /accounts/${account.id}/nothing`,
    )
    await expectError(await kv.fetch(`${account.ns}/x/values`, { headers: account.auth }), 404, 7003)
    await expectError(
      await kv.fetch(account.ns, { method: 'PATCH', headers: account.auth }),
      405,
      7001,
      'Method not allowed',
    )
    await expectError(
      await kv.fetch(`${account.ns}/x/keys`, { method: 'POST', headers: account.auth }),
      405,
      7001,
    )
    await expectError(
      await kv.fetch(`${account.ns}/x/bulk/get`, { method: 'GET', headers: account.auth }),
      405,
      7001,
    )
  })

  test('a store that is gone answers 503 10002 in the envelope', async () => {
    const broken = openKvgate(store, {}, undefined, mount)
    try {
      const account = await newAccount(broken)
      await broken.engine.close()
      const response = await broken.fetch(account.ns, { headers: account.auth })
      await expectError(response, 503, 10002, 'service unavailable')
    } finally {
      // Its store prefix goes only with the kvgate itself (closing the engine again is harmless).
      await broken.close()
    }
  })

  test('an optional rate limit per account answers 429 (KVGATE_WORKERS_KV_RATE_LIMIT)', async () => {
    const limited = open({ KVGATE_WORKERS_KV_RATE_LIMIT: '2' })
    const account = await newAccount(limited)
    await expectOk(await limited.fetch(account.ns, { headers: account.auth }))
    await expectOk(await limited.fetch(account.ns, { headers: account.auth }))
    await expectError(await limited.fetch(account.ns, { headers: account.auth }), 429, 971)
  })
})
