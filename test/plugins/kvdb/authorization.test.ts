// The access matrix: every endpoint against every kind of credential, with the expected status in
// each cell. Every cell gets a fresh bucket, so a cell that deletes or changes something cannot
// affect another.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { answer, type CurlOptions, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

type Credential =
  | 'none'
  | 'read key'
  | 'write key'
  | 'secret key'
  | 'token read'
  | 'token write'
  | 'token other prefix'
  | 'expired token'
  | 'token after signing_key change'
  | 'wrong key'

/** A request of one endpoint: path below /kvdb/{bucket} and curl options. */
type Call = [path: string, options: CurlOptions]

const KEY = 'user:1:k'
const ENDPOINTS: Record<string, Call> = {
  'GET key': [`/${KEY}`, {}],
  'HEAD key': [`/${KEY}`, { method: 'HEAD' }],
  'PUT key': [`/${KEY}`, { method: 'PUT', body: 'v' }],
  'POST key': [`/${KEY}`, { data: ['v'] }],
  'PATCH counter': [`/${KEY}`, { method: 'PATCH', data: ['+1'] }],
  'DELETE key': [`/${KEY}`, { method: 'DELETE' }],
  'GET listing': ['/', {}],
  'POST txn': ['', { body: JSON.stringify({ txn: [{ set: 'user:1:a', value: 1 }, { delete: KEY }] }) }],
  'PATCH policy': ['', { method: 'PATCH', data: ['default_ttl=3600'] }],
  'DELETE bucket': ['', { method: 'DELETE' }],
  'POST tokens': ['/tokens/', { data: ['prefix=user:1:'] }],
  'GET scripts': ['/scripts/', {}],
  'PUT script': ['/scripts/hello', { method: 'PUT', body: 'kvdb.say("hi")' }],
  'DELETE script': ['/scripts/hello', { method: 'DELETE' }],
  'GET script run': ['/scripts/hello', {}],
  'POST script run': ['/scripts/hello', { data: ['a=1'] }],
}

const COLUMNS: Credential[] = [
  'none',
  'read key',
  'write key',
  'secret key',
  'token read',
  'token write',
  'token other prefix',
  'expired token',
  'token after signing_key change',
]

// A bucket with every key: secret s, read r, write w, signing g. The bucket has no script "hello"
// (404 to run or delete); uploading it needs the secret key.
const FULL: Record<string, number[]> = {
  //                  none read write secret tokR tokW other expired changed
  'GET key': [403, 200, 200, 200, 200, 403, 403, 401, 401],
  'HEAD key': [403, 200, 200, 200, 200, 403, 403, 401, 401],
  'PUT key': [403, 403, 200, 200, 403, 200, 403, 401, 401],
  'POST key': [403, 403, 200, 200, 403, 200, 403, 401, 401],
  'PATCH counter': [403, 403, 200, 200, 403, 200, 403, 401, 401],
  'DELETE key': [403, 403, 200, 200, 403, 200, 403, 401, 401],
  'GET listing': [403, 403, 403, 200, 403, 403, 200, 401, 401],
  'POST txn': [403, 403, 200, 200, 403, 200, 403, 401, 401],
  'PATCH policy': [403, 403, 403, 200, 403, 403, 403, 401, 401],
  'DELETE bucket': [403, 403, 403, 200, 403, 403, 403, 401, 401],
  'POST tokens': [403, 403, 403, 200, 403, 403, 403, 401, 401],
  'GET scripts': [403, 403, 403, 200, 403, 403, 403, 401, 401],
  'PUT script': [403, 403, 403, 200, 403, 403, 403, 401, 401],
  'DELETE script': [403, 403, 403, 404, 403, 403, 403, 401, 401],
  'GET script run': [404, 404, 404, 404, 404, 404, 404, 401, 401],
  'POST script run': [404, 404, 404, 404, 404, 404, 404, 401, 401],
}

// A bucket with only a secret and a signing key: reads and writes are public, a token still narrows.
const SECRET_ONLY_COLUMNS: Credential[] = [
  'none',
  'secret key',
  'token read',
  'token write',
  'token other prefix',
  'expired token',
  'wrong key',
]
const SECRET_ONLY: Record<string, number[]> = {
  //                  none secret tokR tokW other expired wrong
  'GET key': [200, 200, 200, 403, 403, 401, 401],
  'PUT key': [200, 200, 403, 200, 403, 401, 401],
  'PATCH counter': [200, 200, 403, 200, 403, 401, 401],
  'DELETE key': [200, 200, 403, 200, 403, 401, 401],
  'GET listing': [403, 200, 403, 403, 200, 401, 401],
  'POST txn': [200, 200, 403, 200, 403, 401, 401],
  'PATCH policy': [403, 200, 403, 403, 403, 401, 401],
  'DELETE bucket': [403, 200, 403, 403, 403, 401, 401],
  'POST tokens': [403, 200, 403, 403, 403, 401, 401],
}

// A bucket without any key: everything public but policy and tokens, which need a secret key.
const OPEN_COLUMNS: Credential[] = ['none', 'wrong key']
const OPEN: Record<string, number[]> = {
  'GET key': [200, 401],
  'PUT key': [200, 401],
  'PATCH counter': [200, 401],
  'DELETE key': [200, 401],
  'GET listing': [200, 401],
  'POST txn': [200, 401],
  'PATCH policy': [403, 401],
  'DELETE bucket': [200, 401],
  'POST tokens': [403, 401],
  'GET scripts': [403, 401],
  'GET script run': [404, 401],
}

describeEachStoreAndMount('kvdb authorization matrix', KVDB_MOUNTS, (store, mount) => {
  let h: KvdbHarness
  beforeAll(() => {
    h = kvdbHarness(store, mount)
  })
  afterAll(() => h.kv.close())

  async function mint(id: string, fields: string): Promise<string> {
    const response = await h.curl(`/${id}/tokens/`, { data: [fields], user: 's:' })
    expect(response.status).toBe(200)
    return ((await response.json()) as { access_token: string }).access_token
  }

  /** Auth options for a credential on bucket id (may mint tokens, move the clock or rotate the key). */
  async function credentialFor(id: string, credential: Credential): Promise<CurlOptions> {
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
    switch (credential) {
      case 'none':
        return {}
      case 'read key':
        return { user: 'r:' }
      case 'write key':
        return { user: 'w:' }
      case 'secret key':
        return { user: 's:' }
      case 'wrong key':
        return { user: 'nope:' }
      case 'token read':
        return bearer(await mint(id, 'prefix=user:1:&permissions=read'))
      case 'token write':
        return bearer(await mint(id, 'prefix=user:1:&permissions=write'))
      case 'token other prefix':
        return bearer(await mint(id, 'prefix=user:2:&permissions=read,write,enumerate'))
      case 'expired token': {
        const token = await mint(id, 'prefix=user:1:&permissions=read,write,enumerate&ttl=60')
        h.clock.advance(61_000)
        return bearer(token)
      }
      case 'token after signing_key change': {
        const token = await mint(id, 'prefix=user:1:&permissions=read,write,enumerate')
        const changed = await h.curl(`/${id}`, { method: 'PATCH', data: ['signing_key=g2'], user: 's:' })
        expect(changed.status).toBe(200)
        return bearer(token)
      }
    }
  }

  async function statusOf(fields: Record<string, string>, endpoint: string, credential: Credential) {
    const id = await h.createBucket(fields)
    const owner = fields.secret_key ? { user: 's:' } : {}
    expect((await h.curl(`/${id}/${KEY}`, { data: ['5'], ...owner })).status).toBe(200)
    const auth = await credentialFor(id, credential)
    const [path, options] = ENDPOINTS[endpoint]!
    const response = await h.curl(`/${id}${path}`, {
      ...options,
      ...auth,
      headers: { ...options.headers, ...auth.headers },
    })
    return response.status
  }

  const matrices = [
    ['every key', { secret_key: 's', read_key: 'r', write_key: 'w', signing_key: 'g' }, COLUMNS, FULL],
    ['secret and signing key only', { secret_key: 's', signing_key: 'g' }, SECRET_ONLY_COLUMNS, SECRET_ONLY],
    ['no key', {}, OPEN_COLUMNS, OPEN],
  ] as const

  for (const [name, fields, columns, matrix] of matrices) {
    for (const [endpoint, expected] of Object.entries(matrix)) {
      test(`bucket with ${name}: ${endpoint}`, async () => {
        const actual: Record<string, number> = {}
        for (const credential of columns) actual[credential] = await statusOf(fields, endpoint, credential)
        expect(actual).toEqual(Object.fromEntries(columns.map((credential, i) => [credential, expected[i]!])))
      })
    }
  }

  test('every carrier takes keys and tokens; the Authorization header wins, then access_token, then key', async () => {
    const id = await h.createBucket({ secret_key: 's', read_key: 'r', signing_key: 'g' })
    await h.curl(`/${id}/user:1:k`, { data: ['v'], user: 's:' })
    const token = await mint(id, 'prefix=user:1:&permissions=read')
    const status = async (path: string, options: CurlOptions = {}) => (await h.curl(path, options)).status
    for (const credential of ['r', token]) {
      expect(await status(`/${id}/user:1:k`, { user: `${credential}:ignored-password` })).toBe(200)
      expect(await status(`/${id}/user:1:k`, { headers: { authorization: `Bearer ${credential}` } })).toBe(
        200,
      )
      expect(await status(`/${id}/user:1:k?key=${credential}`)).toBe(200)
      expect(await status(`/${id}/user:1:k?access_token=${credential}`)).toBe(200)
    }
    expect(await status(`/${id}/user:1:k?key=bad`, { user: 'r:' })).toBe(200)
    expect(await status(`/${id}/user:1:k?key=r`, { user: 'bad:' })).toBe(401)
    expect(await status(`/${id}/user:1:k?access_token=r&key=bad`)).toBe(200)
    expect(await status(`/${id}/user:1:k?access_token=bad&key=r`)).toBe(401)
    expect(await status(`/${id}/user:1:k`, { headers: { authorization: 'Digest abc' } })).toBe(401)
    expect(await status(`/${id}/user:1:k`, { headers: { authorization: 'Basic !!!' } })).toBe(401)
  })

  test('a token works through the last millisecond before its expiry second, and not at it', async () => {
    const id = await h.createBucket({ secret_key: 's', signing_key: 'g' })
    await h.curl(`/${id}/user:1:k`, { data: ['v'], user: 's:' })
    // Tokens carry whole seconds: start on one, so the expiry falls exactly ttl seconds later.
    h.clock.advance(1000 - (h.clock.now() % 1000))
    const token = await mint(id, 'prefix=user:1:&permissions=read&ttl=60')
    const read = () => h.curl(`/${id}/user:1:k?access_token=${token}`)
    h.clock.advance(59_999)
    expect(await answer(await read())).toEqual([200, 'v'])
    h.clock.advance(1)
    expect((await read()).status).toBe(401)
  })

  test('a token of another bucket, a forged token and a token after the signing key is removed are 401', async () => {
    const a = await h.createBucket({ secret_key: 's', read_key: 'r', signing_key: 'g' })
    const b = await h.createBucket({ secret_key: 's', read_key: 'r', signing_key: 'g' })
    await h.curl(`/${b}/user:1:k`, { data: ['v'], user: 's:' })
    const tokenA = await mint(a, 'prefix=user:1:')
    expect((await h.curl(`/${b}/user:1:k?access_token=${tokenA}`)).status).toBe(401)
    const tokenB = await mint(b, 'prefix=user:1:')
    const [body, signature] = tokenB.split('.')
    const widened = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), p: '' }),
    ).toString('base64url')
    expect((await h.curl(`/${b}/user:1:k?access_token=${widened}.${signature}`)).status).toBe(401)
    expect((await h.curl(`/${b}/user:1:k?access_token=${tokenB}`)).status).toBe(200)
    await h.curl(`/${b}`, { method: 'PATCH', data: ['signing_key='], user: 's:' })
    expect((await h.curl(`/${b}/user:1:k?access_token=${tokenB}`)).status).toBe(401)
    expect((await h.curl(`/${b}/tokens`, { data: ['prefix=x'], user: 's:' })).status).toBe(400)
  })

  test('a token lists its own prefix by default and is refused a prefix outside it', async () => {
    const id = await h.createBucket({ secret_key: 's', signing_key: 'g' })
    for (const key of ['user:1:a', 'user:1:b', 'user:2:a']) await h.curl(`/${id}/${key}`, { data: ['1'] })
    const token = await mint(id, 'prefix=user:1:&permissions=enumerate')
    const list = (query: string) => h.curl(`/${id}/?access_token=${token}${query}`)
    expect(await (await list('')).text()).toBe('user:1:a\nuser:1:b\n')
    expect(await (await list('&prefix=user:1:b')).text()).toBe('user:1:b\n')
    expect((await list('&prefix=user:2:')).status).toBe(403)
    expect((await list('&prefix=user:')).status).toBe(403)
  })

  test('policy: a secret key can be changed but not removed; other keys can be removed', async () => {
    const id = await h.createBucket({ secret_key: 's', read_key: 'r' })
    expect((await h.curl(`/${id}`, { method: 'PATCH', data: ['secret_key='], user: 's:' })).status).toBe(400)
    expect((await h.curl(`/${id}`, { method: 'PATCH', data: ['secret_key=s2'], user: 's:' })).status).toBe(
      200,
    )
    expect((await h.curl(`/${id}/`, { user: 's:' })).status).toBe(401)
    expect((await h.curl(`/${id}/`, { user: 's2:' })).status).toBe(200)
    expect((await h.curl(`/${id}/x`)).status).toBe(403)
    expect((await h.curl(`/${id}`, { method: 'PATCH', data: ['read_key='], user: 's2:' })).status).toBe(200)
    expect((await h.curl(`/${id}/x`)).status).toBe(404)
    // Without a secret key the policy can never be changed, so one can never be added.
    const open = await h.createBucket()
    expect((await h.curl(`/${open}`, { method: 'PATCH', data: ['secret_key=mine'] })).status).toBe(403)
  })

  test('tokens follow the documented format, so one signed elsewhere with the signing key works', async () => {
    const id = await h.createBucket({ secret_key: 's', read_key: 'r', signing_key: 'g' })
    await h.curl(`/${id}/user:9:k`, { data: ['v'], user: 's:' })
    const minted = await mint(id, 'prefix=user:9:&permissions=read,enumerate&ttl=600')
    const payload = JSON.parse(Buffer.from(minted.split('.')[0]!, 'base64url').toString())
    expect(payload).toEqual({
      b: id,
      p: 'user:9:',
      perm: ['read', 'enumerate'],
      exp: Math.floor(h.clock.now() / 1000) + 600,
    })
    const sign = (fields: object) => {
      const body = Buffer.from(JSON.stringify(fields)).toString('base64url')
      return `${body}.${createHmac('sha256', 'g').update(body).digest('base64url')}`
    }
    const exp = Math.floor(h.clock.now() / 1000) + 60
    const own = sign({ b: id, p: 'user:9:', perm: ['read'], exp })
    expect(await answer(await h.curl(`/${id}/user:9:k?access_token=${own}`))).toEqual([200, 'v'])
    const past = sign({ b: id, p: 'user:9:', perm: ['read'], exp: Math.floor(h.clock.now() / 1000) })
    expect((await h.curl(`/${id}/user:9:k?access_token=${past}`)).status).toBe(401)
    const unknownPermission = sign({ b: id, p: '', perm: ['admin'], exp })
    expect((await h.curl(`/${id}/user:9:k?access_token=${unknownPermission}`)).status).toBe(401)
  })
})
