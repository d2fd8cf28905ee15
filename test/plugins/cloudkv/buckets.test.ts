import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { BUCKET_ID, CLOUDKV_MOUNTS, type CloudkvHarness, cloudkvHarness, UUID } from './support.ts'

describeEachStoreAndMount('cloudkv: ping and buckets', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  let owner: { id: string; key: string }
  let other: { id: string; key: string }
  beforeAll(async () => {
    h = cloudkvHarness(store, { mount })
    owner = await h.account()
    other = await h.account()
  })
  afterAll(() => h.kvgate.close())

  const form = (fields: Record<string, string>) => {
    const body = new FormData()
    for (const [name, value] of Object.entries(fields)) body.set(name, value)
    return body
  }
  const list = async (key: string) => {
    const response = await h.call('GET', '/buckets', { key })
    expect(response.status).toBe(200)
    return ((await response.json()) as { buckets: Array<Record<string, unknown>> }).buckets
  }
  const listed = async (key: string, id: string) => (await list(key)).find((bucket) => bucket.id === id)

  test('GET /ping answers the saved example', async () => {
    const response = await h.call('GET', '/ping')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('x-request-id')).toMatch(UUID)
    expect(await response.json()).toEqual({ message: 'pong' })
  })

  test('GET /ping with an unknown api-key is 401, with a valid one 200', async () => {
    const bad = await h.call('GET', '/ping', { key: 'nonsense' })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await bad.json()).toEqual({ message: 'invalid api-key' })
    expect((await h.call('GET', '/ping', { key: owner.key })).status).toBe(200)
  })

  test('unknown routes are 404 and wrong methods 405, in the error shape', async () => {
    const missing = await h.call('GET', '/nothing/here')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ message: 'not found' })
    for (const [method, path] of [
      ['POST', '/ping'],
      ['DELETE', '/buckets'],
      ['GET', '/buckets/abc'],
      ['POST', '/kv/abc'],
      ['PATCH', '/kv/abc/key'],
    ] as const) {
      const response = await h.call(method, path, { key: owner.key })
      expect(response.status, `${method} ${path}`).toBe(405)
      expect(await response.json()).toEqual({ message: 'method not allowed' })
    }
  })

  test('Create Bucket with a multipart form answers 201 {account_id, bucket_id, mode}', async () => {
    const response = await h.call('POST', '/buckets', {
      key: owner.key,
      body: form({ access: 'public', comment: 'Bucket for User Session Info' }),
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const body = await response.json()
    expect(Object.keys(body)).toEqual(['account_id', 'bucket_id', 'mode'])
    expect(body.account_id).toBe(owner.id)
    expect(body.bucket_id).toMatch(BUCKET_ID)
    expect(body.mode).toBe('public')
    expect(await listed(owner.key, body.bucket_id)).toMatchObject({ comment: 'Bucket for User Session Info' })
  })

  test('Create Bucket takes an urlencoded form, and the query string as a fallback (saved example)', async () => {
    const urlencoded = await h.call('POST', '/buckets', {
      key: owner.key,
      body: 'access=protected&comment=a+b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(urlencoded.status).toBe(201)
    const created = await urlencoded.json()
    expect(created.mode).toBe('protected')
    expect(await listed(owner.key, created.bucket_id)).toMatchObject({ comment: 'a b' })

    const query = await h.call('POST', '/buckets?access=public', { key: owner.key })
    expect(query.status).toBe(201)
    expect((await query.json()).mode).toBe('public')

    // The form wins over the query string.
    const both = await h.call('POST', '/buckets?access=public', {
      key: owner.key,
      body: form({ access: 'protected' }),
    })
    expect((await both.json()).mode).toBe('protected')
  })

  test('every mode is accepted; read-public is stored and shown as public-read', async () => {
    for (const [access, mode] of [
      ['public', 'public'],
      ['public-read', 'public-read'],
      ['read-public', 'public-read'],
      ['protected', 'protected'],
    ]) {
      const response = await h.call('POST', '/buckets', { key: owner.key, body: form({ access: access! }) })
      expect(response.status).toBe(201)
      const { bucket_id, mode: answered } = await response.json()
      expect(answered).toBe(mode)
      expect((await listed(owner.key, bucket_id))?.mode).toBe(mode)
    }
  })

  test('Create Bucket refuses a missing or unknown access, a bad form, and a missing or unknown key', async () => {
    const cases: Array<[string, RequestInit & { key?: string }, number, string]> = [
      ['no access', { key: owner.key, body: form({ comment: 'x' }) }, 400, 'access is required'],
      ['unknown access', { key: owner.key, body: form({ access: 'private' }) }, 400, 'access must be one of'],
      ['upper case', { key: owner.key, body: form({ access: 'PUBLIC' }) }, 400, 'access must be one of'],
      [
        'json body',
        { key: owner.key, body: '{"access":"public"}', headers: { 'content-type': 'application/json' } },
        400,
        'form not parseable',
      ],
      [
        'broken multipart',
        {
          key: owner.key,
          body: '--x\r\nbroken',
          headers: { 'content-type': 'multipart/form-data; boundary=y' },
        },
        400,
        'form not parseable',
      ],
      ['no key', { body: form({ access: 'public' }) }, 401, 'api-key required'],
      ['unknown key', { key: 'kvg_unknown', body: form({ access: 'public' }) }, 401, 'invalid api-key'],
    ]
    for (const [name, init, status, text] of cases) {
      const response = await h.call('POST', '/buckets', init as never)
      expect(response.status, name).toBe(status)
      expect(((await response.json()) as { message: string }).message, name).toStartWith(text)
    }
  })

  test('List Buckets shows the documented fields, oldest first, only the caller’s buckets', async () => {
    const fresh = await h.account()
    const first = await h.bucket(fresh.key, 'public-read')
    h.clock.advance(1500)
    const second = await h.bucket(fresh.key, 'protected', 'second')
    await h.bucket(other.key, 'public')
    const buckets = await list(fresh.key)
    expect(buckets.map((bucket) => bucket.id)).toEqual([first, second])
    expect(Object.keys(buckets[0]!)).toEqual([
      'id',
      'mode',
      'created_at',
      'comment',
      'estimated_keys',
      'key_get_success',
      'key_get_failed',
    ])
    expect(buckets[0]).toEqual({
      id: first,
      mode: 'public-read',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
      comment: null,
      estimated_keys: 0,
      key_get_success: 0,
      key_get_failed: 0,
    })
    expect(Date.parse(buckets[1]!.created_at as string) - Date.parse(buckets[0]!.created_at as string)).toBe(
      1500,
    )
    expect(buckets[1]!.comment).toBe('second')
    expect((await h.call('GET', '/buckets')).status).toBe(401)
    expect((await h.call('GET', '/buckets', { key: 'kvg_nope' })).status).toBe(401)
  })

  test('estimated_keys counts live keys; the get counters count GET and HEAD hits and misses', async () => {
    const bucket = await h.bucket(owner.key, 'public')
    await h.call('PUT', `/kv/${bucket}/a`, { body: '1' })
    await h.call('PUT', `/kv/${bucket}/b`, { body: '2' })
    await h.call('PUT', `/kv/${bucket}/short`, { body: '3', headers: {} })
    await h.call('PUT', `/kv/${bucket}/brief?ttl=10s`, { body: '4' })
    await h.call('GET', `/kv/${bucket}/a`)
    await h.call('HEAD', `/kv/${bucket}/b`)
    await h.call('GET', `/kv/${bucket}/missing`)
    await h.call('HEAD', `/kv/${bucket}/missing`)
    await h.call('GET', `/kv/${bucket}/missing`)
    await h.call('GET', `/kv/${bucket}?prefix=`) // a find is not a key get
    expect(await listed(owner.key, bucket)).toMatchObject({
      estimated_keys: 4,
      key_get_success: 2,
      key_get_failed: 3,
    })
    h.clock.advance(10_001)
    expect((await listed(owner.key, bucket))?.estimated_keys).toBe(3)
  })

  test('the get counters reach the store within seconds without a List, and survive a comment change', async () => {
    const bucket = await h.bucket(owner.key, 'public')
    await h.call('PUT', `/kv/${bucket}/k`, { body: 'v' })
    await h.call('GET', `/kv/${bucket}/k`)
    await h.call('GET', `/kv/${bucket}/nope`)
    // Read the record directly: a List would add the pending counts itself.
    const stored = async () => (await h.kvgate.engine.namespaces.get(bucket))?.settings
    expect(await stored()).not.toHaveProperty('getSuccess')
    for (let waited = 0; !(await stored())?.getSuccess && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await stored()).toMatchObject({ getSuccess: 1, getFailed: 1 })
    const form = new FormData()
    form.set('comment', 'kept counts')
    expect((await h.call('PATCH', `/buckets/${bucket}`, { key: owner.key, body: form })).status).toBe(200)
    expect(await listed(owner.key, bucket)).toMatchObject({
      comment: 'kept counts',
      key_get_success: 1,
      key_get_failed: 1,
    })
  })

  test('Modify Bucket sets the comment: 200 with an empty body', async () => {
    const bucket = await h.bucket(owner.key, 'public', 'before')
    const response = await h.call('PATCH', `/buckets/${bucket}`, {
      key: owner.key,
      body: form({ comment: "This is a comment to describe what's in my bucket" }),
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('0')
    expect(await response.text()).toBe('')
    expect(await listed(owner.key, bucket)).toMatchObject({
      mode: 'public',
      comment: "This is a comment to describe what's in my bucket",
    })
    const urlencoded = await h.call('PATCH', `/buckets/${bucket}`, {
      key: owner.key,
      body: 'comment=again',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(urlencoded.status).toBe(200)
    expect((await listed(owner.key, bucket))?.comment).toBe('again')
  })

  test('Modify Bucket refuses access changes, a missing comment, strangers and unknown buckets', async () => {
    const bucket = await h.bucket(owner.key, 'public')
    const cases: Array<[string, string, { key?: string; body?: BodyInit }, number]> = [
      ['access', bucket, { key: owner.key, body: form({ access: 'protected', comment: 'x' }) }, 400],
      ['no comment', bucket, { key: owner.key, body: form({ other: 'x' }) }, 400],
      ['no key', bucket, { body: form({ comment: 'x' }) }, 401],
      ['unknown key', bucket, { key: 'bad', body: form({ comment: 'x' }) }, 401],
      ['other account', bucket, { key: other.key, body: form({ comment: 'x' }) }, 403],
      ['unknown bucket', 'aNoSuchBucket000', { key: owner.key, body: form({ comment: 'x' }) }, 404],
      ['bad bucket id', 'not%20an-id', { key: owner.key, body: form({ comment: 'x' }) }, 404],
    ]
    for (const [name, id, init, status] of cases) {
      const response = await h.call('PATCH', `/buckets/${id}`, init)
      expect(response.status, name).toBe(status)
      expect(typeof ((await response.json()) as { message: unknown }).message, name).toBe('string')
    }
    expect(await listed(owner.key, bucket)).toMatchObject({ mode: 'public', comment: null })
  })

  test('Delete Bucket needs confirm equal to estimated_keys; a mismatch deletes nothing', async () => {
    const bucket = await h.bucket(owner.key, 'public')
    await h.call('PUT', `/kv/${bucket}/one`, { body: '1' })
    await h.call('PUT', `/kv/${bucket}/two`, { body: '2' })
    for (const query of [
      '',
      '?confirm=',
      '?confirm=0',
      '?confirm=3',
      '?confirm=-2',
      '?confirm=2.0',
      '?confirm=x',
    ]) {
      const response = await h.call('DELETE', `/buckets/${bucket}${query}`, { key: owner.key })
      expect(response.status, query).toBe(400)
      expect(((await response.json()) as { message: string }).message).toContain('confirm')
    }
    expect((await listed(owner.key, bucket))?.estimated_keys).toBe(2)
    expect(await (await h.call('GET', `/kv/${bucket}/one`)).text()).toBe('1')

    const response = await h.call('DELETE', `/buckets/${bucket}?confirm=2`, { key: owner.key })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('0')
    expect(await response.text()).toBe('')
    expect(await listed(owner.key, bucket)).toBeUndefined()
    const gone = await h.call('GET', `/kv/${bucket}/one`)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual({ message: 'bucket not found' })
    expect((await h.call('DELETE', `/buckets/${bucket}?confirm=0`, { key: owner.key })).status).toBe(404)
  })

  test('Delete Bucket of an empty bucket takes confirm=0 (the collection’s request)', async () => {
    const bucket = await h.bucket(owner.key, 'protected')
    expect((await h.call('DELETE', `/buckets/${bucket}?confirm=0`, { key: owner.key })).status).toBe(200)
  })

  test('Delete Bucket refuses strangers and callers without a valid key', async () => {
    const bucket = await h.bucket(owner.key, 'public')
    expect((await h.call('DELETE', `/buckets/${bucket}?confirm=0`)).status).toBe(401)
    expect((await h.call('DELETE', `/buckets/${bucket}?confirm=0`, { key: 'kvg_bad' })).status).toBe(401)
    expect((await h.call('DELETE', `/buckets/${bucket}?confirm=0`, { key: other.key })).status).toBe(403)
    expect(await listed(owner.key, bucket)).toBeDefined()
  })
})
