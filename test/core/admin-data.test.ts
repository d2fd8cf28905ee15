// The admin API's data routes, black box, on every store: namespaces of every dialect (made through
// the dialects' own APIs), keys by prefix and page, entries read, written with If-Match and deleted,
// stats; every route refuses a missing or wrong token and no answer carries a stored credential.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { dialects } from '../../plugins/index.ts'
import { ADMIN_TOKEN, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { describeEachStore } from '../support/stores.ts'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const WORKERS_KV = '/client/v4'

describeEachStore('admin data API', (store) => {
  let kvgate: TestKvgate
  const state = { account: '', token: '', namespace: '', bucket: '', secrets: [] as string[] }

  const get = (path: string, headers: Record<string, string> = admin) => kvgate.fetch(path, { headers })
  const json = async (path: string) => {
    const response = await get(path)
    expect(response.status).toBe(200)
    return response.json()
  }
  const workersKv = (path: string, init: RequestInit = {}) =>
    kvgate.fetch(`${WORKERS_KV}/accounts/${state.account}/storage/kv/namespaces${path}`, {
      ...init,
      headers: { authorization: `Bearer ${state.token}`, ...init.headers },
    })
  const entryPath = (key: string) => `/admin/namespaces/${state.namespace}/entries/${key}`
  const put = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    kvgate.fetch(entryPath(key), {
      method: 'PUT',
      headers: { ...admin, ...headers },
      body: JSON.stringify(body),
    })

  beforeAll(async () => {
    kvgate = testKvgate(dialects, store.env)
    const account = await kvgate.createAccount('workers-kv', 'shop')
    state.account = account.account_id
    state.token = account.credentials.api_token!
    state.secrets.push(state.token)
    const created = await workersKv('', { method: 'POST', body: JSON.stringify({ title: 'sessions' }) })
    state.namespace = (await created.json()).result.id
    const bulk = [
      { key: 'config', value: '{"theme":"dark"}' },
      { key: 'bin', value: Buffer.from([0xff, 0x00, 0x80]).toString('base64'), base64: true },
      ...Array.from({ length: 5 }, (_, i) => ({ key: `s/${i}`, value: `v${i}`, metadata: { i } })),
    ]
    expect(
      (await workersKv(`/${state.namespace}/bulk`, { method: 'PUT', body: JSON.stringify(bulk) })).status,
    ).toBe(200)
    // A KVdb bucket with secrets of its own: they must never show.
    const bucket = await kvgate.fetch('/kvdb', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'secret_key=kvdb-secret-1&write_key=kvdb-write-2',
    })
    state.bucket = await bucket.text()
    state.secrets.push('kvdb-secret-1', 'kvdb-write-2')
  })
  afterAll(() => kvgate.close())

  test("lists every dialect's namespaces with owner, title, live key count and creation time", async () => {
    const page = await json('/admin/namespaces')
    const byId = Object.fromEntries(page.namespaces.map((ns: { id: string }) => [ns.id, ns]))
    expect(byId[state.namespace]).toMatchObject({
      dialect: 'workers-kv',
      owner: state.account,
      title: 'sessions',
      keys: 7,
    })
    expect(byId[state.bucket]).toMatchObject({ dialect: 'kvdb', owner: null, keys: 0 })
    expect(Date.parse(byId[state.bucket].created_at)).toBeGreaterThan(Date.now() - 60_000)
    expect(page.cursor).toBeNull()

    const kvdbOnly = await json('/admin/namespaces?dialect=kvdb')
    expect(kvdbOnly.namespaces.map((ns: { id: string }) => ns.id)).toEqual([state.bucket])
    const owned = await json(`/admin/namespaces?account=${state.account}`)
    expect(owned.namespaces.map((ns: { id: string }) => ns.id)).toEqual([state.namespace])
    expect(await json(`/admin/namespaces/${state.bucket}`)).toMatchObject({
      id: state.bucket,
      dialect: 'kvdb',
    })
  })

  test('pages namespaces with cursor and limit', async () => {
    const first = await json('/admin/namespaces?limit=1')
    expect(first.namespaces).toHaveLength(1)
    expect(first.cursor).toBe(first.namespaces[0].id)
    const rest = await json(`/admin/namespaces?limit=1000&cursor=${first.cursor}`)
    expect(rest.namespaces.map((ns: { id: string }) => ns.id)).not.toContain(first.cursor)
    expect(rest.namespaces.length).toBeGreaterThanOrEqual(1)
  })

  test('lists keys in byte order, by prefix and page by page, text or base64, with size and metadata', async () => {
    const all = await json(`/admin/namespaces/${state.namespace}/keys`)
    expect(all.keys.map((row: { key: string }) => row.key)).toEqual([
      'bin',
      'config',
      's/0',
      's/1',
      's/2',
      's/3',
      's/4',
    ])
    expect(all.keys[0]).toMatchObject({
      key: 'bin',
      encoding: 'utf8',
      size: 3,
      expires_at: null,
      metadata: null,
    })
    expect(all.keys[2]).toMatchObject({ key: 's/0', size: 2, metadata: { i: 0 } })
    expect(all.cursor).toBeNull()
    const prefixed = await json(`/admin/namespaces/${state.namespace}/keys?prefix=s%2F&limit=2`)
    expect(prefixed.keys.map((row: { key: string }) => row.key)).toEqual(['s/0', 's/1'])
    const next = await json(
      `/admin/namespaces/${state.namespace}/keys?prefix=s%2F&limit=2&cursor=${prefixed.cursor}`,
    )
    expect(next.keys.map((row: { key: string }) => row.key)).toEqual(['s/2', 's/3'])
  })

  test('reads an entry as text, JSON or base64, with its version as ETag', async () => {
    const text = await get(entryPath('s%2F1'))
    expect(text.status).toBe(200)
    const entry = await text.json()
    expect(entry).toMatchObject({ key: 's/1', value: 'v1', encoding: 'text', metadata: { i: 1 } })
    expect(text.headers.get('etag')).toBe(`"${entry.version}"`)
    const binary = await (await get(entryPath('bin'))).json()
    expect(binary).toMatchObject({
      value: Buffer.from([0xff, 0x00, 0x80]).toString('base64'),
      encoding: 'base64',
    })
    expect((await get(entryPath('missing'))).status).toBe(404)
  })

  test('writes an entry that the dialect reads back; If-Match guards against a change meanwhile', async () => {
    const read = await get(entryPath('config'))
    const etag = read.headers.get('etag')!
    const written = await put(
      'config',
      { value: '{"theme":"light"}', encoding: 'json', metadata: { by: 'op' }, ttl: 600 },
      { 'if-match': etag },
    )
    expect(written.status).toBe(200)
    const newTag = written.headers.get('etag')
    expect(newTag).not.toBe(etag)
    const back = await workersKv(`/${state.namespace}/values/config`)
    expect(await back.text()).toBe('{"theme":"light"}')
    expect(Number(back.headers.get('expiration')) - Date.now() / 1000).toBeGreaterThan(590)
    expect((await (await workersKv(`/${state.namespace}/metadata/config`)).json()).result).toEqual({
      by: 'op',
    })

    const stale = await put('config', { value: 'x' }, { 'if-match': etag })
    expect(stale.status).toBe(412)
    expect(await stale.json()).toEqual({ error: expect.any(String) })
    expect((await put('fresh', { value: 'x' }, { 'if-match': '*' })).status).toBe(412)
    expect(await (await workersKv(`/${state.namespace}/values/config`)).text()).toBe('{"theme":"light"}')

    const binary = await put('new%FF', { value: Buffer.from([1, 2]).toString('base64'), encoding: 'base64' })
    expect(binary.status).toBe(200)
    const keys = await json(`/admin/namespaces/${state.namespace}/keys?prefix=new`)
    expect(keys.keys).toEqual([
      expect.objectContaining({
        key: Buffer.from('new\xff', 'latin1').toString('base64'),
        encoding: 'base64',
        size: 2,
      }),
    ])
  })

  test("an edit keeps the entry's kind where the new value fits it: a KVdb counter stays a counter", async () => {
    const kvdb = (init: RequestInit = {}) =>
      kvgate.fetch(`/kvdb/${state.bucket}/hits`, {
        ...init,
        headers: { authorization: `Bearer kvdb-secret-1`, ...init.headers },
      })
    expect((await kvdb({ method: 'PATCH', body: '1' })).status).toBe(200)
    const path = `/admin/namespaces/${state.bucket}/entries/hits`
    expect((await (await get(path)).json()).kind).toBe('int')
    const edit = (value: string) =>
      kvgate.fetch(path, { method: 'PUT', headers: admin, body: JSON.stringify({ value }) })
    expect((await edit('41')).status).toBe(200)
    expect((await (await get(path)).json()).kind).toBe('int')
    expect(await (await kvdb({ method: 'PATCH', body: '1' })).text()).toBe('42')
    for (const value of ['0x10', '1.5.1', ' 7']) {
      expect((await edit(value)).status).toBe(200)
      expect({ value, kind: (await (await get(path)).json()).kind }).toEqual({ value, kind: 'text' })
    }
  })

  test('bad writes are 400 with the reason, never 500', async () => {
    for (const [body, reason] of [
      [{}, 'value'],
      [{ value: 1 }, 'value'],
      [{ value: 'x', encoding: 'hex' }, 'encoding'],
      [{ value: '{', encoding: 'json' }, 'JSON'],
      [{ value: '%%%', encoding: 'base64' }, 'base64'],
      [{ value: 'x', ttl: 0 }, 'ttl'],
      [{ value: 'x', ttl: 1.5 }, 'ttl'],
      [{ value: 'x', ttl: 60, expires_at: '2099-01-01T00:00:00Z' }, 'not both'],
      [{ value: 'x', expires_at: 'soon' }, 'expires_at'],
      [{ value: 'abc', kind: 'int' }, 'kind'],
      [[], 'object'],
    ] as const) {
      const response = await put('bad', body)
      expect({ body, status: response.status }).toEqual({ body, status: 400 })
      expect((await response.json()).error).toContain(reason)
    }
    const notJson = await kvgate.fetch(entryPath('bad'), { method: 'PUT', headers: admin, body: '{' })
    expect(notJson.status).toBe(400)
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'cursor=%%%']) {
      expect((await get(`/admin/namespaces/${state.namespace}/keys?${query}`)).status).toBe(400)
    }
    expect((await get('/admin/namespaces?limit=-1')).status).toBe(400)
    expect((await get('/admin/namespaces?cursor=a%2Fb')).status).toBe(400)
  })

  test('deletes an entry (If-Match too) and a namespace; unknown ones are 404', async () => {
    await put('doomed', { value: 'x' })
    const tag = (await get(entryPath('doomed'))).headers.get('etag')!
    expect(
      (
        await kvgate.fetch(entryPath('doomed'), {
          method: 'DELETE',
          headers: { ...admin, 'if-match': '"1"' },
        })
      ).status,
    ).toBe(412)
    expect(
      (await kvgate.fetch(entryPath('doomed'), { method: 'DELETE', headers: { ...admin, 'if-match': tag } }))
        .status,
    ).toBe(204)
    expect((await kvgate.fetch(entryPath('doomed'), { method: 'DELETE', headers: admin })).status).toBe(404)

    expect(
      (await kvgate.fetch(`/admin/namespaces/${state.bucket}`, { method: 'DELETE', headers: admin })).status,
    ).toBe(204)
    expect((await get(`/admin/namespaces/${state.bucket}`)).status).toBe(404)
    expect((await get(`/admin/namespaces/${state.bucket}/keys`)).status).toBe(404)
    expect(
      (await kvgate.fetch(`/admin/namespaces/${state.bucket}`, { method: 'DELETE', headers: admin })).status,
    ).toBe(404)
  })

  test('into a dialect whose values are JSON text (RocketStack, LightKV), only JSON is written, and the dialect reads it', async () => {
    const account = await kvgate.createAccount('rocketstack')
    const path = `/admin/namespaces/${account.account_id}/entries/item`
    const write = (body: unknown) =>
      kvgate.fetch(path, { method: 'PUT', headers: admin, body: JSON.stringify(body) })
    const refused = await write({ value: 'plain words' })
    expect(refused.status).toBe(400)
    expect((await refused.json()).error).toBe('rocketstack values are JSON text')
    expect((await write({ value: Buffer.from([0xff]).toString('base64'), encoding: 'base64' })).status).toBe(
      400,
    )
    expect((await write({ value: '{"n":1}', kind: 'text' })).status).toBe(400)
    expect((await write({ value: '{"n": 1}' })).status).toBe(200)
    const read = await kvgate.fetch('/rocketstack/kv/items/item', {
      headers: { authorization: `Bearer ${account.credentials.api_key}` },
    })
    expect(read.status).toBe(200)
    expect((await read.json()).data).toMatchObject({ key: 'item', value: { n: 1 } })
    expect(await (await get(path)).json()).toMatchObject({
      encoding: 'json',
      kind: 'json',
      content_type: 'application/json',
    })
  })

  test("an account's own namespace (LightKV, RocketStack) is deleted with its account, not alone", async () => {
    const app = await kvgate.createAccount('lightkv')
    const refused = await kvgate.fetch(`/admin/namespaces/${app.account_id}`, {
      method: 'DELETE',
      headers: admin,
    })
    expect(refused.status).toBe(409)
    expect((await refused.json()).error).toContain('delete the account')
    expect((await get(`/admin/namespaces/${app.account_id}`)).status).toBe(200)
    const gone = await kvgate.fetch(`/admin/accounts/${app.account_id}`, { method: 'DELETE', headers: admin })
    expect(gone.status).toBe(204)
    expect((await get(`/admin/namespaces/${app.account_id}`)).status).toBe(404)
  })

  test("the engine's own namespaces are not reachable", async () => {
    for (const id of ['_system', '_accounts', '_ratelimit', 'nothing-here']) {
      expect((await get(`/admin/namespaces/${id}/keys`)).status).toBe(404)
      expect((await get(`/admin/namespaces/${id}`)).status).toBe(404)
    }
  })

  test('stats: backend, version, uptime, counts and request rates', async () => {
    const stats = await json('/admin/stats')
    expect(stats.backend).toContain(store.name === 'sqlite' ? 'sqlite' : 'redis')
    expect(stats.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(typeof stats.uptime).toBe('number')
    expect(stats.counts.accounts['workers-kv']).toBe(1)
    expect(stats.counts.namespaces['workers-kv']).toBe(1)
    expect(typeof stats.rates.total).toBe('number')
  })

  test('every route refuses a missing or wrong token with 401, and nothing shows a credential', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/admin/namespaces'],
      ['GET', `/admin/namespaces/${state.namespace}`],
      ['DELETE', `/admin/namespaces/${state.namespace}`],
      ['GET', `/admin/namespaces/${state.namespace}/keys`],
      ['GET', entryPath('config')],
      ['PUT', entryPath('config')],
      ['DELETE', entryPath('config')],
      ['GET', '/admin/stats'],
    ]
    for (const [method, path] of routes) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong' },
        { authorization: `Basic ${btoa(`${ADMIN_TOKEN}:`)}` },
      ]) {
        const response = await kvgate.fetch(path, {
          method,
          headers,
          body: method === 'PUT' ? '{"value":"x"}' : undefined,
        })
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 })
      }
    }
    expect(await (await workersKv(`/${state.namespace}/values/config`)).text()).toBe('{"theme":"light"}')
    const seen = [
      await (await get('/admin/namespaces')).text(),
      await (await get(`/admin/namespaces/${state.namespace}`)).text(),
      await (await get('/admin/stats')).text(),
    ].join('\n')
    for (const secret of state.secrets) expect(seen).not.toContain(secret)
  })
})
