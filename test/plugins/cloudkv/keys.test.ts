import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { bytesOf, CLOUDKV_MOUNTS, type CloudkvHarness, cloudkvHarness } from './support.ts'

describeEachStoreAndMount('cloudkv: keys', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  let owner: { id: string; key: string }
  let bucket: string
  beforeAll(async () => {
    h = cloudkvHarness(store, { mount })
    owner = await h.account()
    bucket = await h.bucket(owner.key, 'public')
  })
  afterAll(() => h.kvgate.close())

  const put = (key: string, body: BodyInit, query = '', headers: Record<string, string> = {}) =>
    h.call('PUT', `/kv/${bucket}/${key}${query}`, { body, headers })
  const get = (key: string, method = 'GET') => h.call(method, `/kv/${bucket}/${key}`)
  const find = (query: string, id = bucket) => h.call('GET', `/kv/${id}${query}`)

  test('Set Key by POST and by PUT answers 200 with an empty body; Get Key returns the raw value', async () => {
    const posted = await h.call('POST', `/kv/${bucket}/test-k7?ttl=5s`, {
      body: 'hellognaz',
      headers: { 'content-type': 'text/plain' },
    })
    expect(posted.status).toBe(200)
    expect(posted.headers.get('content-length')).toBe('0')
    expect(await posted.text()).toBe('')

    const putted = await put('test-key', 'this values was set by PUT body')
    expect(putted.status).toBe(200)
    const response = await get('test-key')
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('this values was set by PUT body')
    expect(await (await get('test-k7')).text()).toBe('hellognaz')
  })

  test('Get Key answers the Content-Type of the write, or application/octet-stream', async () => {
    await put('typed', '{"a":1}', '', { 'content-type': 'application/json' })
    expect((await get('typed')).headers.get('content-type')).toBe('application/json')
    await put('untyped', new Blob([new Uint8Array([1, 2, 3])]))
    const untyped = await get('untyped')
    expect(untyped.headers.get('content-type')).toBe('application/octet-stream')
    expect([...(await bytesOf(untyped))]).toEqual([1, 2, 3])
  })

  test('Last-Modified is the time of the last write; Expires only with a ttl', async () => {
    await put('dated', 'v1')
    const first = await get('dated')
    expect(first.headers.get('last-modified')).toBe(new Date(h.clock.now()).toUTCString())
    expect(first.headers.has('expires')).toBe(false)
    h.clock.advance(61_000)
    await put('dated', 'v2', '?ttl=1h')
    const second = await get('dated')
    expect(second.headers.get('last-modified')).toBe(new Date(h.clock.now()).toUTCString())
    expect(second.headers.get('expires')).toBe(new Date(h.clock.now() + 3_600_000).toUTCString())
    // A later set without ttl removes the ttl.
    await put('dated', 'v3')
    expect((await get('dated')).headers.has('expires')).toBe(false)
  })

  test('ttl takes whole seconds with an optional s, m, h or d suffix', async () => {
    for (const [ttl, seconds] of [
      ['30', 30],
      ['5s', 5],
      ['10m', 600],
      ['1h', 3600],
      ['7d', 7 * 86400],
      ['007', 7],
      ['90s', 90],
    ] as const) {
      const response = await put(`ttl-${ttl}`, 'x', `?ttl=${ttl}`)
      expect(response.status, ttl).toBe(200)
      const read = await get(`ttl-${ttl}`)
      expect(read.headers.get('expires'), ttl).toBe(new Date(h.clock.now() + seconds * 1000).toUTCString())
    }
  })

  test('a key with a ttl is gone once it expires', async () => {
    await put('brief', 'x', '?ttl=2s')
    h.clock.advance(1999)
    expect((await get('brief')).status).toBe(200)
    h.clock.advance(1)
    expect((await get('brief')).status).toBe(404)
    expect((await find('?prefix=brief')).status).toBe(404)
  })

  test('a bad ttl is 400 and nothing is stored', async () => {
    for (const ttl of [
      '0',
      '0s',
      '-5',
      '1.5',
      '5x',
      '5S',
      '5ms',
      's',
      '',
      '1h30m',
      '%205',
      '5%20',
      '1e3',
      '99999999999d',
    ]) {
      const response = await put('bad-ttl', 'x', `?ttl=${ttl}`)
      expect(response.status, `ttl=${ttl}`).toBe(400)
      expect(((await response.json()) as { message: string }).message).toStartWith('ttl must be')
      expect((await get('bad-ttl')).status).toBe(404)
    }
  })

  test('HEAD answers the GET headers with Content-Length and no body; 404 when missing', async () => {
    await put('head-me', 'this values was set by PUT body', '?ttl=1d', { 'content-type': 'text/plain' })
    const response = await get('head-me', 'HEAD')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe('31')
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(response.headers.get('last-modified')).toBe(new Date(h.clock.now()).toUTCString())
    expect(response.headers.get('expires')).toBe(new Date(h.clock.now() + 86_400_000).toUTCString())
    expect(await response.text()).toBe('')

    const missing = await get('no-such-key', 'HEAD')
    expect(missing.status).toBe(404)
    expect(await missing.text()).toBe('')
  })

  test('Get Key of a missing key or bucket is 404 with a message', async () => {
    const missing = await get('never-written')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ message: 'key not found' })
    const noBucket = await h.call('GET', '/kv/aNoSuchBucket000/key')
    expect(noBucket.status).toBe(404)
    expect(await noBucket.json()).toEqual({ message: 'bucket not found' })
    expect((await h.call('PUT', '/kv/aNoSuchBucket000/key', { body: 'x' })).status).toBe(404)
    expect((await h.call('DELETE', '/kv/aNoSuchBucket000/key')).status).toBe(404)
    expect((await h.call('GET', '/kv/aNoSuchBucket000?prefix=')).status).toBe(404)
  })

  test('Delete Key always answers 200 with an empty body, also when the key is absent', async () => {
    await put('doomed', 'x')
    for (let i = 0; i < 2; i++) {
      const response = await h.call('DELETE', `/kv/${bucket}/doomed`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-length')).toBe('0')
      expect(await response.text()).toBe('')
    }
    expect((await get('doomed')).status).toBe(404)
  })

  test('path-like keys: folder/jsons/file.json, raw or with %2F, are one key', async () => {
    expect((await put('folder/jsons/file.json', '{"x":1}')).status).toBe(200)
    expect(await (await get('folder/jsons/file.json')).text()).toBe('{"x":1}')
    expect(await (await get('folder%2Fjsons%2Ffile.json')).text()).toBe('{"x":1}')
    await put('folder/other.txt', 'o')
    const listed = await find('?prefix=folder/')
    expect(await listed.text()).toBe('folder/jsons/file.json\nfolder/other.txt')
    expect((await h.call('DELETE', `/kv/${bucket}/folder%2Fjsons/file.json`)).status).toBe(200)
    expect((await get('folder/jsons/file.json')).status).toBe(404)
  })

  test('binary keys and values are kept byte for byte', async () => {
    const value = new Uint8Array(256).map((_, i) => i)
    expect((await put('bin%00%FF%0A%C3%28', value)).status).toBe(200)
    const read = await get('bin%00%FF%0A%C3%28')
    expect(await bytesOf(read)).toEqual(value)
    const listed = await find('?prefix=bin%00%FF')
    expect(listed.status).toBe(200)
    expect([...(await bytesOf(listed))]).toEqual([...Buffer.from('bin'), 0x00, 0xff, 0x0a, 0xc3, 0x28])
  })

  test('unicode keys count bytes: 64 bytes fit, 65 are 400', async () => {
    const fits = encodeURIComponent('é'.repeat(32))
    expect((await put(fits, 'x')).status).toBe(200)
    expect(await (await get(fits)).text()).toBe('x')
    for (const tooLong of [`${fits}a`, 'k'.repeat(65)]) {
      const response = await put(tooLong, 'x')
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ message: 'key name must be 1 to 64 bytes' })
      expect((await get(tooLong)).status).toBe(400)
    }
    expect((await put('', 'x')).status).toBe(400)
    expect((await put('k'.repeat(64), 'x')).status).toBe(200)
  })

  test('an empty value is a value', async () => {
    expect((await put('empty', '')).status).toBe(200)
    const read = await get('empty')
    expect(read.status).toBe(200)
    expect(await read.text()).toBe('')
  })

  test('Find Keys With Prefix: names one per line, ascending, no trailing newline; 404 when none', async () => {
    const own = await h.bucket(owner.key, 'public')
    for (const name of [
      'stnofewo-groups-000961383-20200117050644',
      'stnofewo-groups-000961383-20200116050639',
      'other',
      'stnofewo-x',
    ]) {
      await h.call('PUT', `/kv/${own}/${name}`, { body: 'v' })
    }
    const response = await find('?prefix=stnofewo-groups-000961383-', own)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await response.text()).toBe(
      'stnofewo-groups-000961383-20200116050639\nstnofewo-groups-000961383-20200117050644',
    )
    const all =
      'other\nstnofewo-groups-000961383-20200116050639\nstnofewo-groups-000961383-20200117050644\nstnofewo-x'
    expect(await (await find('', own)).text()).toBe(all)
    expect(await (await find('?prefix=', own)).text()).toBe(all)
    expect(await (await h.call('GET', `/kv/${own}/`)).text()).toBe(all)
    expect(await (await h.call('GET', `/kv/${own}/?prefix=o`)).text()).toBe('other')
    const none = await find('?prefix=zzz', own)
    expect(none.status).toBe(404)
    expect(await none.json()).toEqual({ message: 'no keys found' })
    const empty = await h.bucket(owner.key, 'public')
    expect((await find('', empty)).status).toBe(404)
  })

  test('Find Keys With Prefix returns at most 1,000 names', async () => {
    const many = await h.bucket(owner.key, 'public')
    const names = Array.from({ length: 1005 }, (_, i) => `n${String(i).padStart(4, '0')}`)
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(
        names.slice(i, i + 100).map((name) => h.call('PUT', `/kv/${many}/${name}`, { body: '' })),
      )
    }
    const lines = (await (await find('?prefix=n', many)).text()).split('\n')
    expect(lines).toHaveLength(1000)
    expect(lines).toEqual(names.slice(0, 1000))
  })
})
