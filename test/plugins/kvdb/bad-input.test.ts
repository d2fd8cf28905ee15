// Bad input on every endpoint: each gets KVdb's documented status and a short text message, and
// changes nothing.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { answer, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

const hex = (bytes: number[]) => bytes.map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')

describeEachStoreAndMount('kvdb bad input', KVDB_MOUNTS, (store, mount) => {
  let h: KvdbHarness
  let id: string
  beforeAll(async () => {
    h = kvdbHarness(store, mount)
    id = await h.createBucket()
  })
  afterAll(() => h.kv.close())

  test('keys: 128 bytes pass, 129 bytes are 400; reserved names are 400', async () => {
    expect((await h.curl(`/${id}/${'k'.repeat(128)}`, { data: ['v'] })).status).toBe(200)
    expect(await answer(await h.curl(`/${id}/${'k'.repeat(129)}`, { data: ['v'] }))).toEqual([
      400,
      'key is longer than 128 bytes',
    ])
    expect((await h.curl(`/${id}/${'k'.repeat(129)}`)).status).toBe(400)
    expect((await h.curl(`/${id}/${hex(Array(128).fill(0xff))}`, { data: ['v'] })).status).toBe(200)
    expect((await h.curl(`/${id}/${hex(Array(129).fill(0xff))}`, { data: ['v'] })).status).toBe(400)
    for (const reserved of ['tokens/x', 'scripts%2Fx', '%74okens']) {
      expect((await h.curl(`/${id}/${reserved}`, { method: 'PUT', body: 'v' })).status).toBe(400)
    }
    expect((await h.curl(`/${id}/tokensX`, { method: 'PUT', body: 'v' })).status).toBe(200)
    expect((await h.curl(`/${id}/tokens`, { method: 'PUT', body: 'v' })).status).toBe(405)
  })

  test('values: 16384 bytes pass, 16385 are 413, declared or streamed', async () => {
    expect((await h.curl(`/${id}/big`, { method: 'PUT', body: 'x'.repeat(16_384) })).status).toBe(200)
    expect(await answer(await h.curl(`/${id}/big`, { method: 'PUT', body: 'y'.repeat(16_385) }))).toEqual([
      413,
      'value too large',
    ])
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new Uint8Array(1024).fill(0x7a))
        controller.close()
      },
    })
    const streamed = await h.fetch(`/${id}/big`, {
      method: 'PUT',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(await (await h.curl(`/${id}/big`)).text()).toBe('x'.repeat(16_384))
    const declared = await h.fetch(`/${id}/big`, {
      method: 'PUT',
      headers: { 'content-length': String(64 * 1024 * 1024) },
    })
    expect(await answer(declared)).toEqual([413, 'value too large'])
  })

  test('malformed or invalid transactions are 400 and apply nothing', async () => {
    await h.curl(`/${id}/txn:keep`, { data: ['kept'] })
    const txn = (body: string) => h.curl(`/${id}`, { body, headers: { 'content-type': 'application/json' } })
    const good = { set: 'txn:new', value: 'x' }
    const bodies = [
      '{"txn": [',
      'not json',
      '',
      '[]',
      '{"txn": "x"}',
      '{"txn": {}}',
      '{"ops": []}',
      '{"txn": []}',
      JSON.stringify({ txn: [good, { set: 'txn:keep' }] }),
      JSON.stringify({ txn: [good, { delete: 'txn:keep', extra: 1 }] }),
      JSON.stringify({ txn: [good, { set: 'txn:keep', value: 1, ttl: -1 }] }),
      JSON.stringify({ txn: [good, { set: 'txn:keep', value: 1, ttl: '5' }] }),
      JSON.stringify({ txn: [good, { set: 'txn:keep', value: 1, ttl: 1.5 }] }),
      JSON.stringify({ txn: [good, { set: 42, value: 1 }] }),
      JSON.stringify({ txn: [good, { set: '', value: 1 }] }),
      JSON.stringify({ txn: [good, { set: 'k'.repeat(129), value: 1 }] }),
      JSON.stringify({ txn: [good, { delete: 'tokens' }] }),
      JSON.stringify({ txn: [good, { get: 'txn:keep' }] }),
      JSON.stringify({ txn: [good, null] }),
      JSON.stringify({ txn: Array.from({ length: 1001 }, (_, i) => ({ set: `t${i}`, value: i })) }),
    ]
    for (const body of bodies) {
      const response = await txn(body)
      expect([body.slice(0, 60), response.status]).toEqual([body.slice(0, 60), 400])
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    }
    const tooLarge = await txn(JSON.stringify({ txn: [good, { set: 'txn:big', value: 'v'.repeat(16_385) }] }))
    expect(await answer(tooLarge)).toEqual([413, 'value too large'])
    expect((await h.curl(`/${id}/txn:new`)).status).toBe(404)
    expect(await answer(await h.curl(`/${id}/txn:keep`))).toEqual([200, 'kept'])
    const ok = await txn(
      JSON.stringify({ txn: Array.from({ length: 1000 }, (_, i) => ({ set: `t${i}`, value: i })) }),
    )
    expect(ok.status).toBe(200)
    expect(await (await h.curl(`/${id}/t999`)).text()).toBe('999')
  })

  test('transaction values: strings as raw bodies, numbers as numbers, other JSON as json; ttl applies', async () => {
    const body = JSON.stringify({
      txn: [
        { set: 'v:string', value: 'hello' },
        { set: 'v:numeric-string', value: '12' },
        { set: 'v:int', value: 7 },
        { set: 'v:float', value: 2.5 },
        { set: 'v:object', value: { a: [1, { b: null }] } },
        { set: 'v:true', value: true },
        { set: 'v:null', value: null },
        { set: 'v:short', value: 'gone soon', ttl: 5 },
      ],
    })
    expect((await h.curl(`/${id}`, { body })).status).toBe(200)
    const listing = await h.curl(`/${id}/?prefix=v:&values=true&format=json`)
    expect(await listing.json()).toEqual([
      ['v:float', 2.5],
      ['v:int', 7],
      ['v:null', null],
      ['v:numeric-string', 12],
      ['v:object', { a: [1, { b: null }] }],
      ['v:short', 'gone soon'],
      ['v:string', 'hello'],
      ['v:true', true],
    ])
    const object = await h.curl(`/${id}/v:object`)
    expect(object.headers.get('content-type')).toBe('application/json')
    expect(await object.text()).toBe('{"a":[1,{"b":null}]}')
    expect(await (await h.curl(`/${id}/v:int`, { method: 'PATCH', data: ['+1'] })).text()).toBe('8')
    h.clock.advance(6_000)
    expect((await h.curl(`/${id}/v:short`)).status).toBe(404)
  })

  test('transaction numbers keep their text: an int64 beyond 2^53 stays an exact int; a number beyond float64 is 400', async () => {
    // Spaced and duplicated members on purpose: the value is read from the text as sent.
    const body =
      '{"txn": [ {"set": "n:max", "value": 9223372036854775807},' +
      ' {"value": 1, "set": "n:big", "value" : 92233720368547758070 }, {"set": "n:half", "value": 0.5e1} ] }'
    expect(await answer(await h.curl(`/${id}`, { body }))).toEqual([200, ''])
    expect(await answer(await h.curl(`/${id}/n:max`))).toEqual([200, '9223372036854775807'])
    expect(await answer(await h.curl(`/${id}/n:big`))).toEqual([200, '92233720368547758070'])
    const listing = await h.curl(`/${id}/?prefix=n:&values=true&format=json`)
    expect(await listing.text()).toBe(
      '[["n:big",92233720368547760000],["n:half",5],["n:max",9223372036854775807]]',
    )
    expect(await answer(await h.curl(`/${id}/n:max`, { method: 'PATCH', data: ['-7'] }))).toEqual([
      200,
      '9223372036854775800',
    ])
    const tooBig = await h.curl(`/${id}`, {
      body: '{"txn":[{"set":"n:inf","value":1e400},{"delete":"n:max"}]}',
    })
    expect(tooBig.status).toBe(400)
    expect((await h.curl(`/${id}/n:inf`)).status).toBe(404)
    expect(await answer(await h.curl(`/${id}/n:max`))).toEqual([200, '9223372036854775800'])
  })

  test('bad ttl on set and PATCH is 400 "invalid ttl"', async () => {
    for (const ttl of ['-1', 'abc', '1.5', '', '1e3', '99999999999999999']) {
      expect(await answer(await h.curl(`/${id}/t?ttl=${ttl}`, { data: ['v'] }))).toEqual([400, 'invalid ttl'])
      expect((await h.curl(`/${id}/t?ttl=${ttl}`, { method: 'PATCH', data: ['+1'] })).status).toBe(400)
    }
    expect((await h.curl(`/${id}/t`)).status).toBe(404)
  })

  test('bad counter bodies and non-numeric stored values are 400', async () => {
    for (const body of [
      '',
      'abc',
      '+',
      '1+1',
      '++1',
      '+inf',
      'NaN',
      '0x10',
      '9223372036854775808',
      '1e999',
    ]) {
      const response = await h.curl(`/${id}/c`, { method: 'PATCH', body })
      expect([body, response.status]).toEqual([body, 400])
    }
    expect((await h.curl(`/${id}/c`, { method: 'PATCH', body: 'x'.repeat(10_000) })).status).toBe(400)
    expect((await h.curl(`/${id}/c`)).status).toBe(404)
    await h.curl(`/${id}/word`, { data: ['hello'] })
    expect((await h.curl(`/${id}/word`, { method: 'PATCH', data: ['+1'] })).status).toBe(400)
    expect(await (await h.curl(`/${id}/word`)).text()).toBe('hello')
    await h.curl(`/${id}/max`, { data: ['9223372036854775807'] })
    expect((await h.curl(`/${id}/max`, { method: 'PATCH', data: ['+1'] })).status).toBe(400)
    expect(await (await h.curl(`/${id}/max`, { method: 'PATCH', data: ['-1'] })).text()).toBe(
      '9223372036854775806',
    )
    await h.curl(`/${id}/f`, { data: ['1.5'] })
    expect(await (await h.curl(`/${id}/f`, { method: 'PATCH', data: ['+1'] })).text()).toBe('2.5')
    expect(await (await h.curl(`/${id}/f`, { method: 'PATCH', body: ' -0.5\n' })).text()).toBe('2')
  })

  test('an unknown bucket is 404 "bucket not found" on every endpoint', async () => {
    const calls: Array<[string, string, string?]> = [
      ['GET', '/NoSuchBucket1234567890/k'],
      ['PUT', '/NoSuchBucket1234567890/k', 'v'],
      ['PATCH', '/NoSuchBucket1234567890/k', '+1'],
      ['DELETE', '/NoSuchBucket1234567890/k'],
      ['GET', '/NoSuchBucket1234567890/'],
      ['POST', '/NoSuchBucket1234567890', '{"txn":[{"delete":"k"}]}'],
      ['PATCH', '/NoSuchBucket1234567890', 'default_ttl=1'],
      ['DELETE', '/NoSuchBucket1234567890'],
      ['POST', '/NoSuchBucket1234567890/tokens/', 'prefix=a'],
      ['GET', '/NoSuchBucket1234567890/scripts/'],
      ['GET', '/%FF%00/k'],
      ['GET', '/_system/k'],
    ]
    for (const [method, path, body] of calls) {
      const response = await h.curl(path, { method, body, user: 'some-key:' })
      expect([method, path, await answer(response)]).toEqual([method, path, [404, 'bucket not found']])
    }
  })

  test('binary keys round-trip through percent-encoding; keys keep raw ":" and "/"', async () => {
    const low = Array.from({ length: 128 }, (_, i) => i)
    const high = Array.from({ length: 128 }, (_, i) => 128 + i)
    const bucket = await h.createBucket()
    for (const bytes of [low, high]) {
      const body = new Uint8Array(bytes)
      expect((await h.curl(`/${bucket}/${hex(bytes)}`, { method: 'PUT', body })).status).toBe(200)
      const got = await h.curl(`/${bucket}/${hex(bytes)}`)
      // Bytes 0-127 are valid UTF-8 (ASCII), so only the high half is application/octet-stream.
      expect(got.headers.get('content-type')).toBe(
        bytes === low ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      )
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(body)
    }
    // Text listing writes keys as their bytes (newlines escaped), so both come back exactly.
    const text = new Uint8Array(await (await h.curl(`/${bucket}/`)).arrayBuffer())
    const newline = low.indexOf(0x0a)
    const escapedLow = [...low.slice(0, newline), 0x5c, 0x6e, ...low.slice(newline + 1)]
    expect([...text]).toEqual([...escapedLow, 0x0a, ...high, 0x0a])
    // A binary prefix selects by bytes.
    expect((await (await h.curl(`/${bucket}/?prefix=%80%81&format=json`)).json()) as unknown[]).toHaveLength(
      1,
    )
    expect((await h.curl(`/${bucket}/users:1/profile`, { data: ['p'] })).status).toBe(200)
    expect(await (await h.curl(`/${bucket}/users:1/profile`)).text()).toBe('p')
    expect(await (await h.curl(`/${bucket}/users%3A1%2Fprofile`)).text()).toBe('p')
    expect((await h.curl(`/${bucket}/${hex(high)}`, { method: 'DELETE' })).status).toBe(200)
    expect((await h.curl(`/${bucket}/${hex(high)}`)).status).toBe(404)
  })

  test('listing parameters: bad numbers and booleans are 400; limit is clamped to 10,000', async () => {
    for (const query of ['limit=-1', 'limit=abc', 'skip=1.5', 'reverse=yes', 'values=2', 'limit=']) {
      expect([query, (await h.curl(`/${id}/?${query}`)).status]).toEqual([query, 400])
    }
    expect((await h.curl(`/${id}/?limit=20000&reverse=0&values=false`)).status).toBe(200)
    expect(await (await h.curl(`/${id}/?limit=0`)).text()).toBe('')
  })

  test('bucket creation and policy forms: bad default_ttl is 400', async () => {
    for (const ttl of ['-1', 'abc', '1.5', '']) {
      expect((await h.curl('/', { data: [`default_ttl=${ttl}`] })).status).toBe(400)
    }
    const multipart = new FormData()
    multipart.set('email', 'a@b.c')
    multipart.set('secret_key', 'multi')
    const created = await h.fetch('/', { method: 'POST', body: multipart })
    expect(created.status).toBe(200)
    const bucket = await created.text()
    expect((await h.curl(`/${bucket}/`, { user: 'multi:' })).status).toBe(200)
    expect(
      (await h.curl(`/${bucket}`, { method: 'PATCH', data: ['default_ttl=x'], user: 'multi:' })).status,
    ).toBe(400)
  })

  test('token requests: unknown permission, bad ttl and no signing key are 400', async () => {
    const bucket = await h.createBucket({ secret_key: 's', signing_key: 'g' })
    const mint = (data: string) => h.curl(`/${bucket}/tokens`, { data: [data], user: 's:' })
    for (const data of [
      'permissions=admin',
      'permissions=read,delete',
      'ttl=0',
      'ttl=-5',
      'ttl=abc',
      'ttl=31536001',
    ]) {
      expect([data, (await mint(data)).status]).toEqual([data, 400])
    }
    expect((await mint('ttl=31536000&permissions=read,enumerate')).status).toBe(200)
    const unsigned = await h.createBucket({ secret_key: 's' })
    expect((await h.curl(`/${unsigned}/tokens/`, { data: ['prefix=a'], user: 's:' })).status).toBe(400)
  })

  test('other methods are 405; HEAD answers like GET without a body', async () => {
    expect((await h.curl('/', {})).status).toBe(405)
    expect((await h.curl('', { method: 'DELETE' })).status).toBe(405)
    expect((await h.curl(`/${id}`, { method: 'PUT', body: 'x' })).status).toBe(405)
    expect((await h.curl(`/${id}/tokens/`)).status).toBe(405)
    expect((await h.curl(`/${id}/k`, { method: 'OPTIONS' })).status).toBe(405)
    expect((await h.curl(`/${id}/scripts/`, { method: 'DELETE' })).status).toBe(405)
    await h.curl(`/${id}/head`, { data: ['body'] })
    const head = await h.curl(`/${id}/head`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await head.text()).toBe('')
    expect((await h.curl(`/${id}/missing`, { method: 'HEAD' })).status).toBe(404)
  })
})
