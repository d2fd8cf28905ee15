// Every example of the KVdb document (seeds/kvdb.txt), line by line, with the base URL replaced.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { answer, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

describeEachStoreAndMount('kvdb seed examples', KVDB_MOUNTS, (store, mount) => {
  let h: KvdbHarness
  beforeAll(() => {
    h = kvdbHarness(store, mount)
  })
  afterAll(() => h.kv.close())

  test('create a bucket that lets anyone read, write and list keys: curl -d email=...', async () => {
    const response = await h.curl('', { data: ['email=user@example.com'] })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const id = await response.text()
    expect(id).toMatch(/^[1-9A-HJ-NP-Za-km-z]{22}$/)
    expect(await answer(await h.curl(`/${id}/hello`, { data: ['world'] }))).toEqual([200, ''])
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([200, 'world'])
    expect(await answer(await h.curl(`/${id}/`))).toEqual([200, 'hello\n'])
  })

  test('create a private bucket with secret_key, write_key and default_ttl=3600', async () => {
    const response = await h.curl('/', {
      data: ['email=user@example.com', 'secret_key=supersecret', 'write_key=knock', 'default_ttl=3600'],
    })
    expect(response.status).toBe(200)
    const id = await response.text()
    // Public reads, protected writes and listing; keys expire after an hour.
    expect((await h.curl(`/${id}/hello`, { data: ['world'] })).status).toBe(403)
    expect((await h.curl(`/${id}/hello`, { data: ['world'], user: 'knock:' })).status).toBe(200)
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([200, 'world'])
    expect((await h.curl(`/${id}/`)).status).toBe(403)
    expect(await answer(await h.curl(`/${id}/`, { user: 'supersecret:' }))).toEqual([200, 'hello\n'])
    h.clock.advance(3601_000)
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([404, 'key not found'])
  })

  test('authenticate with the key as Basic username, ?key= or a Bearer header', async () => {
    const id = await h.createBucket({ secret_key: 'mykey' })
    expect((await h.curl(`/${id}/`)).status).toBe(403)
    expect((await h.curl(`/${id}/`, { user: 'mykey:' })).status).toBe(200)
    expect((await h.curl(`/${id}/?key=mykey`)).status).toBe(200)
    expect((await h.curl(`/${id}/`, { headers: { authorization: 'Bearer mykey' } })).status).toBe(200)
  })

  test('generate an access token for prefix user:123: with read,write for 3600 s, and use it', async () => {
    const id = await h.createBucket({
      secret_key: 'mykey',
      write_key: 'wk',
      read_key: 'rk',
      signing_key: 'sk',
    })
    const response = await h.curl(`/${id}/tokens/`, {
      data: ['prefix=user:123:&permissions=read,write&ttl=3600'],
      user: 'mykey:',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toStartWith('application/json')
    const { access_token: token } = (await response.json()) as { access_token: string }
    expect(typeof token).toBe('string')
    // In the Authorization header, or in the query string.
    const bearer = { headers: { authorization: `Bearer ${token}` } }
    expect((await h.curl(`/${id}/user:123:email`, { ...bearer, data: ['a@b.c'] })).status).toBe(200)
    expect(await answer(await h.curl(`/${id}/user:123:email`, bearer))).toEqual([200, 'a@b.c'])
    expect(await answer(await h.curl(`/${id}/user:123:email?access_token=${token}`))).toEqual([200, 'a@b.c'])
    expect((await h.curl(`/${id}/user:124:email`, bearer)).status).toBe(403)
    h.clock.advance(3601_000)
    expect((await h.curl(`/${id}/user:123:email`, bearer)).status).toBe(401)
  })

  test('update the bucket policy: make it read-only with write_key=knock', async () => {
    const id = await h.createBucket({ secret_key: 'supersecret' })
    expect((await h.curl(`/${id}/a`, { data: ['1'] })).status).toBe(200)
    const response = await h.curl(`/${id}`, {
      data: ['write_key=knock'],
      user: 'supersecret:',
      method: 'PATCH',
    })
    expect(await answer(response)).toEqual([200, ''])
    expect((await h.curl(`/${id}/a`, { data: ['2'] })).status).toBe(403)
    expect(await answer(await h.curl(`/${id}/a`))).toEqual([200, '1'])
  })

  test('list keys, with a prefix, and with values as JSON', async () => {
    const id = await h.createBucket({ secret_key: 'supersecret' })
    await h.curl(`/${id}/visitors`, { data: ['101'] })
    await h.curl(`/${id}/flavor-today`, { data: ['coconut'] })
    await h.curl(`/${id}/hits_2018_01`, { data: ['5'] })
    await h.curl(`/${id}/hits_2019_01`, { data: ['7'] })
    expect(await answer(await h.curl(`/${id}/`, { user: 'supersecret:' }))).toEqual([
      200,
      'flavor-today\nhits_2018_01\nhits_2019_01\nvisitors\n',
    ])
    expect(await answer(await h.curl(`/${id}/?prefix=hits_2018`, { user: 'supersecret:' }))).toEqual([
      200,
      'hits_2018_01\n',
    ])
    const json = await h.curl(`/${id}/?values=true&format=json&prefix=`, { user: 'supersecret:' })
    expect(json.headers.get('content-type')).toBe('application/json')
    expect(await json.json()).toEqual([
      ['flavor-today', 'coconut'],
      ['hits_2018_01', 5],
      ['hits_2019_01', 7],
      ['visitors', 101],
    ])
    const reversed = await h.curl(`/${id}/?values=true&format=json&reverse=true&limit=2`, {
      user: 'supersecret:',
    })
    expect(await reversed.text()).toBe('[["visitors",101],["hits_2019_01",7]]')
  })

  test('listing formats: text key=value, json, jsonl only via format, Accept fallback, 406', async () => {
    const id = await h.createBucket()
    await h.curl(`/${id}/a`, { data: ['line1\nline2'] })
    await h.curl(`/${id}/b`, {
      body: '{"x": [1, 2]}',
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
    })
    await h.curl(`/${id}/c`, { data: ['2.5'] })
    expect(await (await h.curl(`/${id}/?values=true`)).text()).toBe(
      'a=line1\\nline2\nb={"x": [1, 2]}\nc=2.5\n',
    )
    expect(await (await h.curl(`/${id}/?format=json`)).text()).toBe('["a","b","c"]')
    const jsonl = await h.curl(`/${id}/?format=jsonl&values=1`)
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson')
    expect(await jsonl.text()).toBe('["a","line1\\nline2"]\n["b",{"x":[1,2]}]\n["c",2.5]\n')
    expect(await (await h.curl(`/${id}/?format=jsonl`)).text()).toBe('"a"\n"b"\n"c"\n')
    const byAccept = await h.curl(`/${id}/`, { headers: { accept: 'application/json' } })
    expect(byAccept.headers.get('content-type')).toBe('application/json')
    expect(await byAccept.text()).toBe('["a","b","c"]')
    // jsonl is never chosen by Accept; unknown Accept falls back to text.
    expect(await (await h.curl(`/${id}/`, { headers: { accept: 'application/x-ndjson' } })).text()).toBe(
      'a\nb\nc\n',
    )
    expect(await answer(await h.curl(`/${id}/?format=xml`))).toEqual([406, 'unsupported format "xml"'])
    // An empty format parameter is no format: Accept decides.
    const emptyFormat = await h.curl(`/${id}/?format=`, { headers: { accept: 'application/json' } })
    expect(await emptyFormat.text()).toBe('["a","b","c"]')
    expect(await (await h.curl(`/${id}/?skip=1&limit=1`)).text()).toBe('b\n')
  })

  test('delete a bucket and all its keys', async () => {
    const id = await h.createBucket({ secret_key: 'supersecret' })
    await h.curl(`/${id}/hello`, { data: ['world'] })
    expect((await h.curl(`/${id}`, { method: 'DELETE' })).status).toBe(403)
    expect(await answer(await h.curl(`/${id}`, { method: 'DELETE', user: 'supersecret:' }))).toEqual([
      200,
      '',
    ])
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([404, 'bucket not found'])
    expect((await h.curl(`/${id}/`, { user: 'supersecret:' })).status).toBe(404)
    // The keys go too, once the background drain has run.
    await h.kv.engine.namespaces.drainDeleted()
    expect(await h.kv.engine.count(id)).toBe(0)
  })

  test('set a key, and set one with a 30 second expiry (?ttl=30)', async () => {
    const id = await h.createBucket()
    expect(await answer(await h.curl(`/${id}/hello`, { data: ['world'] }))).toEqual([200, ''])
    expect(await answer(await h.curl(`/${id}/short?ttl=30`, { data: ['world'] }))).toEqual([200, ''])
    h.clock.advance(29_999)
    expect(await answer(await h.curl(`/${id}/short`))).toEqual([200, 'world'])
    h.clock.advance(1)
    expect((await h.curl(`/${id}/short`)).status).toBe(404)
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([200, 'world'])
  })

  test('keys not updated expire after default_ttl (one week by default); ttl=0 never expires', async () => {
    const id = await h.createBucket()
    await h.curl(`/${id}/old`, { data: ['1'] })
    await h.curl(`/${id}/forever?ttl=0`, { data: ['1'] })
    h.clock.advance(604_799_999)
    expect((await h.curl(`/${id}/old`)).status).toBe(200)
    h.clock.advance(1)
    expect((await h.curl(`/${id}/old`)).status).toBe(404)
    expect((await h.curl(`/${id}/forever`)).status).toBe(200)
    const eternal = await h.createBucket({ default_ttl: '0' })
    await h.curl(`/${eternal}/k`, { data: ['v'] })
    h.clock.advance(10 * 604_800_000)
    expect(await answer(await h.curl(`/${eternal}/k`))).toEqual([200, 'v'])
  })

  test('every set, counter update and txn set restarts the expiry; keys not updated expire', async () => {
    const id = await h.createBucket({ default_ttl: '100' })
    for (const key of ['set', 'counter', 'txn', 'untouched']) await h.curl(`/${id}/${key}`, { data: ['1'] })
    h.clock.advance(90_000)
    await h.curl(`/${id}/set`, { data: ['2'] })
    await h.curl(`/${id}/counter`, { method: 'PATCH', data: ['+1'] })
    await h.curl(`/${id}`, { body: JSON.stringify({ txn: [{ set: 'txn', value: 2 }] }) })
    h.clock.advance(60_000)
    expect(await answer(await h.curl(`/${id}/?values=true`))).toEqual([200, 'counter=2\nset=2\ntxn=2\n'])
    h.clock.advance(39_999)
    expect(await answer(await h.curl(`/${id}/`))).toEqual([200, 'counter\nset\ntxn\n'])
    h.clock.advance(1)
    expect(await answer(await h.curl(`/${id}/`))).toEqual([200, ''])
  })

  test('execute a transaction with 1 set and 1 delete', async () => {
    const id = await h.createBucket({ secret_key: 'supersecret' })
    await h.curl(`/${id}/users:2:email`, { data: ['old'] })
    const response = await h.curl(`/${id}`, {
      headers: { 'content-type': 'application/json' },
      user: 'supersecret:',
      body: '{\n  "txn": [\n    {"set": "users:1:email", "value": "user 1"},\n    {"delete": "users:2:email"}\n  ]\n}',
    })
    expect(await answer(response)).toEqual([200, ''])
    expect(await answer(await h.curl(`/${id}/users:1:email`))).toEqual([200, 'user 1'])
    expect((await h.curl(`/${id}/users:2:email`)).status).toBe(404)
  })

  test('get a key value: the response is the value', async () => {
    const id = await h.createBucket()
    await h.curl(`/${id}/hello`, { data: ['world'] })
    const response = await h.curl(`/${id}/hello`, { headers: { accept: 'application/json' } })
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await response.text()).toBe('world')
  })

  test('update a key as a counter: +1 answers the new value, - decrements, float64 too', async () => {
    const id = await h.createBucket()
    expect(await answer(await h.curl(`/${id}/visits`, { method: 'PATCH', data: ['+1'] }))).toEqual([200, '1'])
    expect(await answer(await h.curl(`/${id}/visits`, { method: 'PATCH', data: ['+1'] }))).toEqual([200, '2'])
    expect(await answer(await h.curl(`/${id}/visits`, { method: 'PATCH', data: ['-5'] }))).toEqual([
      200,
      '-3',
    ])
    expect(await answer(await h.curl(`/${id}/visits`, { method: 'PATCH', data: ['10'] }))).toEqual([200, '7'])
    expect(await answer(await h.curl(`/${id}/visits`, { method: 'PATCH', data: ['+0.5'] }))).toEqual([
      200,
      '7.5',
    ])
    expect(await answer(await h.curl(`/${id}/visits`))).toEqual([200, '7.5'])
    // A set body is stored as sent: curl -d '+1' stores "+1", a number a counter can grow from.
    await h.curl(`/${id}/n`, { data: ['+1'] })
    expect(await answer(await h.curl(`/${id}/n`))).toEqual([200, '+1'])
    expect(await answer(await h.curl(`/${id}/n`, { method: 'PATCH', data: ['+1'] }))).toEqual([200, '2'])
    // ttl on PATCH restarts the key's expiry.
    await h.curl(`/${id}/t?ttl=10`, { method: 'PATCH', data: ['+1'] })
    h.clock.advance(11_000)
    expect((await h.curl(`/${id}/t`)).status).toBe(404)
  })

  test('delete a key (200 also when it is absent)', async () => {
    const id = await h.createBucket()
    await h.curl(`/${id}/hello`, { data: ['world'] })
    expect(await answer(await h.curl(`/${id}/hello`, { method: 'DELETE' }))).toEqual([200, ''])
    expect(await answer(await h.curl(`/${id}/hello`))).toEqual([404, 'key not found'])
    expect(await answer(await h.curl(`/${id}/hello`, { method: 'DELETE' }))).toEqual([200, ''])
  })

  test('the error codes of the document, each reachable', async () => {
    const id = await h.createBucket({ secret_key: 's', read_key: 'r' })
    expect((await h.curl(`/${id}/x?ttl=abc`, { data: ['1'] })).status).toBe(400)
    expect((await h.curl(`/${id}/x`, { user: 'wrong:' })).status).toBe(401)
    expect((await h.curl(`/${id}/x`)).status).toBe(403)
    expect((await h.curl(`/${id}/x`, { user: 'r:' })).status).toBe(404)
    expect((await h.curl(`/${id}/`, { method: 'PUT', user: 's:' })).status).toBe(405)
    expect((await h.curl(`/${id}/?format=yaml`, { user: 's:' })).status).toBe(406)
  })
})
