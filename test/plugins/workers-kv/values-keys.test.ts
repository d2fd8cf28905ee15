// Workers KV over HTTP: values (raw and multipart), metadata, expiry, key listing and their limits.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { request as httpRequest } from 'node:http'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import {
  type Account,
  createNamespace,
  DEFAULT_PREFIX,
  expectError,
  expectOk,
  MOUNTS,
  newAccount,
  openKvgate,
} from './helpers.ts'

const MiB = 1024 * 1024

describeEachStoreAndMount('workers-kv values and keys', MOUNTS, (store, mount) => {
  const clock = new ManualClock()
  const kv = openKvgate(store, {}, clock, mount)
  const small = openKvgate(store, { KVGATE_WORKERS_KV_MAX_VALUE_BYTES: '1024' }, undefined, mount)
  let account: Account
  let values: string
  let ns: string
  beforeAll(async () => {
    account = await newAccount(kv)
    ns = await createNamespace(kv, account, 'values')
    values = `${account.ns}/${ns}/values`
  })
  afterAll(async () => {
    await kv.close()
    await small.close()
  })
  const nowSeconds = () => Math.floor(clock.now() / 1000)
  const put = (key: string, body: BodyInit, query = '', headers: Record<string, string> = {}) =>
    kv.fetch(`${values}/${key}${query}`, { method: 'PUT', headers: { ...account.auth, ...headers }, body })
  const get = (key: string) => kv.fetch(`${values}/${key}`, { headers: account.auth })
  const metadata = (key: string) => kv.fetch(`${account.ns}/${ns}/metadata/${key}`, { headers: account.auth })
  const keys = (query = '') => kv.fetch(`${account.ns}/${ns}/keys${query}`, { headers: account.auth })

  test('seed: a value is stored and read byte for byte, whatever its Content-Type', async () => {
    const bytes = new Uint8Array([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80])
    await expectOk(await put('binary', bytes, '', { 'content-type': 'application/x-www-form-urlencoded' }))
    const response = await get('binary')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(response.headers.get('expiration')).toBeNull()
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
    await expectOk(
      await put('binary', 'a=1&b=2', '', { 'content-type': 'application/x-www-form-urlencoded' }),
    )
    expect(await (await get('binary')).text()).toBe('a=1&b=2')
    await expectOk(await put('empty', ''))
    expect(await (await get('empty')).text()).toBe('')
  })

  test('seed: a missing key is 404 10009 "get: \'key not found\'", exactly', async () => {
    const response = await get('never-written')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({
      success: false,
      errors: [{ code: 10009, message: "get: 'key not found'" }],
      messages: [],
      result: null,
    })
    await expectError(await metadata('never-written'), 404, 10009, "get: 'key not found'")
  })

  test('seed: delete a key, also a missing one', async () => {
    await expectOk(await put('doomed', 'x'))
    const deleted = await expectOk(
      await kv.fetch(`${values}/doomed`, { method: 'DELETE', headers: account.auth }),
    )
    expect(deleted.result).toBeNull()
    await expectError(await get('doomed'), 404, 10009)
    await expectOk(await kv.fetch(`${values}/doomed`, { method: 'DELETE', headers: account.auth }))
  })

  test('the key is the rest of the path, percent-decoded once', async () => {
    await expectOk(await put('dir%2Fsub%3Fq%23h%20%E2%9C%93', 'encoded'))
    await expectOk(await put('lit/eral/slashes', 'literal'))
    await expectOk(await put('%252F', 'double'))
    expect(await (await get('dir/sub%3Fq%23h%20%E2%9C%93')).text()).toBe('encoded')
    expect(await (await get('lit%2Feral%2Fslashes')).text()).toBe('literal')
    const listed = await expectOk(await keys('?prefix=dir'))
    expect(listed.result).toEqual([{ name: 'dir/sub?q#h ✓' }])
    expect((await expectOk(await keys('?prefix=%25'))).result).toEqual([{ name: '%2F' }])
    for (const key of ['trailing/', 'double//slash', '/leading']) {
      await expectOk(await put(key, key))
      expect(await (await get(encodeURIComponent(key))).text()).toBe(key)
    }
  })

  test('seed: keys up to 512 bytes; longer is 414; empty is 400', async () => {
    await expectOk(await put('k'.repeat(512), 'max'))
    expect(await (await get('k'.repeat(512))).text()).toBe('max')
    const long = 'k'.repeat(513)
    const message = 'UTF-8 encoded length of 513 exceeds key length limit of 512.'
    await expectError(await put(long, 'x'), 414, 10001, message)
    await expectError(await get(long), 414, 10001, message)
    await expectError(await metadata(long), 414, 10001, message)
    await expectError(
      await kv.fetch(`${values}/${long}`, { method: 'DELETE', headers: account.auth }),
      414,
      10001,
    )
    // 171 three-byte characters are 513 bytes.
    await expectError(await put(encodeURIComponent('✓'.repeat(171)), 'x'), 414, 10001, message)
    await expectError(await put('', 'x'), 400, 10001, 'Key names must not be empty')
    await expectError(await get(''), 400, 10001, 'Key names must not be empty')
  })

  test('keys "." and "..": dot segments never address a key in a path; bulk writes refuse them', async () => {
    // URL parsers (Bun's server, and every WHATWG client) resolve /values/.. before routing, so a
    // path can never name these keys: the request lands elsewhere and creates nothing.
    const server = listenTestKvgate(kv)
    const { port } = new URL(server.url)
    const send = (key: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'PUT',
            path: `${kv.prefix}${values.slice(DEFAULT_PREFIX.length)}/${key}`,
            headers: { ...account.auth, host: kv.mount.host },
          },
          (response) => {
            response.resume()
            response.on('end', () => resolve(response.statusCode!))
          },
        )
        request.on('error', reject)
        request.end('x')
      })
    try {
      for (const key of ['..', '.', '%2E%2E', '%2e']) expect(await send(key)).toBeGreaterThanOrEqual(400)
    } finally {
      await server.stop()
    }
    const listed = await expectOk(await keys())
    expect(listed.result.map((key: { name: string }) => key.name)).not.toContain('..')
    for (const name of ['.', '..']) {
      await expectError(
        await kv.fetch(`${account.ns}/${ns}/bulk`, {
          method: 'PUT',
          headers: account.auth,
          body: JSON.stringify([{ key: name, value: 'x' }]),
        }),
        400,
        10001,
        `Illegal key name "${name}". Please use a different name.`,
      )
    }
    await expectOk(await put('...', 'three dots are fine'))
  })

  test('multipart: a value part (field or file) with JSON metadata', async () => {
    const form = new FormData()
    form.append('value', new Blob([new Uint8Array([0, 0xff, 7])]), 'blob.bin')
    form.append('metadata', '{"owner":"me","n":1,"nested":{"deep":[true,null]}}')
    await expectOk(await put('multi', form))
    expect(new Uint8Array(await (await get('multi')).arrayBuffer())).toEqual(new Uint8Array([0, 0xff, 7]))
    const meta = await expectOk(await metadata('multi'))
    expect(meta.result).toEqual({ owner: 'me', n: 1, nested: { deep: [true, null] } })

    const plain = new FormData()
    plain.append('value', 'just text')
    await expectOk(await put('plain-form', plain))
    expect(await (await get('plain-form')).text()).toBe('just text')
    expect((await expectOk(await metadata('plain-form'))).result).toBeNull()
  })

  test('multipart: metadata[a], metadata[a][b] and metadata[arr][] are rebuilt; a JSON part wins', async () => {
    const form = new FormData()
    form.append('value', 'v')
    form.append('metadata[a]', 'x')
    form.append('metadata[b][c]', '1')
    form.append('metadata[b][d]', 'true')
    form.append('metadata[arr][]', 'one')
    form.append('metadata[arr][]', 'two')
    form.append('metadata[__proto__]', 'plain key')
    await expectOk(await put('brackets', form))
    const { result } = await expectOk(await metadata('brackets'))
    expect(JSON.stringify(result)).toBe(
      '{"a":"x","b":{"c":"1","d":"true"},"arr":["one","two"],"__proto__":"plain key"}',
    )
    const both = new FormData()
    both.append('value', 'v')
    both.append('metadata[a]', 'bracket')
    both.append('metadata', '{"a":"json"}')
    await expectOk(await put('both', both))
    expect((await expectOk(await metadata('both'))).result).toEqual({ a: 'json' })

    const clash = new FormData()
    clash.append('value', 'v')
    clash.append('metadata[a]', 'leaf')
    clash.append('metadata[a][b]', 'branch')
    await expectError(await put('clash', clash), 400, 10001)
  })

  test('multipart: no value part, or metadata that is not JSON, is 400', async () => {
    const noValue = new FormData()
    noValue.append('metadata', '{}')
    await expectError(await put('bad', noValue), 400, 10001)
    const badJson = new FormData()
    badJson.append('value', 'v')
    badJson.append('metadata', '{not json')
    await expectError(await put('bad', badJson), 400, 10001, 'Metadata must be valid JSON')
    await expectError(
      await put('bad', '--x\r\nbroken', '', { 'content-type': 'multipart/form-data; boundary=x' }),
      400,
      10001,
    )
    await expectError(await get('bad'), 404, 10009)
  })

  test('every write replaces value, expiry and metadata; a raw write leaves no metadata', async () => {
    const form = new FormData()
    form.append('value', 'first')
    form.append('metadata', '{"v":1}')
    await expectOk(await put('replace', form, '?expiration_ttl=300'))
    expect((await get('replace')).headers.get('expiration')).toBe(String(nowSeconds() + 300))
    await expectOk(await put('replace', 'second'))
    const response = await get('replace')
    expect(response.headers.get('expiration')).toBeNull()
    expect(await response.text()).toBe('second')
    expect((await expectOk(await metadata('replace'))).result).toBeNull()
  })

  test('metadata over 1024 bytes is 413', async () => {
    const form = new FormData()
    form.append('value', 'v')
    const big = JSON.stringify({ pad: 'x'.repeat(1020) })
    form.append('metadata', big)
    await expectError(
      await put('meta-big', form),
      413,
      10001,
      `Metadata length of ${big.length} exceeds limit of 1024.`,
    )
    const exact = new FormData()
    exact.append('value', 'v')
    exact.append('metadata', JSON.stringify({ pad: 'x'.repeat(1024 - 10) }))
    await expectOk(await put('meta-exact', exact))
    await expectError(await get('meta-big'), 404, 10009)
  })

  test('expiration_ttl and expiration: an expiration header, then gone after it passes', async () => {
    await expectOk(await put('ttl', 'soon', '?expiration_ttl=60'))
    await expectOk(await put('abs', 'later', `?expiration=${nowSeconds() + 3600}`))
    await expectOk(await put('both', 'ttl wins', `?expiration=${nowSeconds() + 3600}&expiration_ttl=120`))
    expect((await get('ttl')).headers.get('expiration')).toBe(String(nowSeconds() + 60))
    expect((await get('abs')).headers.get('expiration')).toBe(String(nowSeconds() + 3600))
    expect((await get('both')).headers.get('expiration')).toBe(String(nowSeconds() + 120))
    const listed = await expectOk(await keys('?prefix=ttl'))
    expect(listed.result).toEqual([{ name: 'ttl', expiration: nowSeconds() + 60 }])

    // Expiry is kept in whole seconds, as Cloudflare shows it: the last live millisecond is just before it.
    clock.advance((nowSeconds() + 60) * 1000 - 1 - clock.now())
    expect(await (await get('ttl')).text()).toBe('soon')
    clock.advance(1)
    await expectError(await get('ttl'), 404, 10009)
    await expectError(await metadata('ttl'), 404, 10009)
    expect((await expectOk(await keys('?prefix=ttl'))).result).toEqual([])
    expect(await (await get('abs')).text()).toBe('later')
  })

  test('bad expiry: not an integer, under 60 s, or in the past is 400', async () => {
    const now = nowSeconds()
    const cases: Array<[string, string]> = [
      ['expiration_ttl=abc', 'Invalid expiration_ttl of abc. Please specify integer greater than 0.'],
      ['expiration_ttl=0', 'Invalid expiration_ttl of 0. Please specify integer greater than 0.'],
      ['expiration_ttl=-5', 'Invalid expiration_ttl of -5. Please specify integer greater than 0.'],
      ['expiration_ttl=1.5', 'Invalid expiration_ttl of 1.5. Please specify integer greater than 0.'],
      ['expiration_ttl=59', 'Invalid expiration_ttl of 59. Expiration TTL must be at least 60.'],
      [
        'expiration=soon',
        'Invalid expiration of soon. Please specify integer greater than the current number of seconds since the UNIX epoch.',
      ],
      [
        `expiration=${now - 10}`,
        `Invalid expiration of ${now - 10}. Expiration times must be at least 60 seconds in the future.`,
      ],
      [
        `expiration=${now + 59}`,
        `Invalid expiration of ${now + 59}. Expiration times must be at least 60 seconds in the future.`,
      ],
      [
        'expiration=1000000000',
        'Invalid expiration of 1000000000. Expiration times must be at least 60 seconds in the future.',
      ],
    ]
    for (const [query, message] of cases)
      await expectError(await put('bad-expiry', 'x', `?${query}`), 400, 10001, message)
    await expectError(await get('bad-expiry'), 404, 10009)
    await expectOk(await put('edge', 'x', `?expiration=${now + 60}`))
  })

  test('values up to 25 MiB; a larger declared body is refused before it is read', async () => {
    const max = new Uint8Array(25 * MiB)
    max[max.length - 1] = 42
    await expectOk(await put('huge', max))
    const back = new Uint8Array(await (await get('huge')).arrayBuffer())
    expect(back.length).toBe(25 * MiB)
    expect(back[back.length - 1]).toBe(42)
    // The declared length alone decides: this body never ends, so reading it would hang.
    const neverEnding = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    await expectError(
      await kv.fetch(`${values}/huge`, {
        method: 'PUT',
        headers: { ...account.auth, 'content-length': String(25 * MiB + 1) },
        body: neverEnding,
        duplex: 'half',
      } as RequestInit),
      413,
      10001,
      'Value length of 26214401 exceeds limit of 26214400.',
    )
    await expectError(
      await put('huge', new Uint8Array(25 * MiB + 1)),
      413,
      10001,
      'Value length exceeds limit of 26214400.',
    )
    await expectOk(await kv.fetch(`${values}/huge`, { method: 'DELETE', headers: account.auth }))
  })

  test('a streamed body over the limit is cut off while it streams', async () => {
    const smallAccount = await newAccount(small)
    const smallNs = await createNamespace(small, smallAccount, 'small')
    let pulled = 0
    // An endless body: only a refusal part-way through ends this request.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(256))
      },
    })
    const path = `${smallAccount.ns}/${smallNs}/values/stream`
    const response = await small.fetch(path, {
      method: 'PUT',
      headers: smallAccount.auth,
      body: endless,
      duplex: 'half',
    } as RequestInit)
    await expectError(response, 413, 10001, 'Value length exceeds limit of 1024.')
    expect(pulled).toBeLessThan(20)
    await expectError(
      await small.fetch(path, {
        method: 'PUT',
        headers: { ...smallAccount.auth, 'content-length': '1025' },
        body: new Uint8Array(1025),
      }),
      413,
      10001,
      'Value length of 1025 exceeds limit of 1024.',
    )
    const form = new FormData()
    form.append('value', new Blob([new Uint8Array(1025)]), 'v.bin')
    await expectError(
      await small.fetch(path, { method: 'PUT', headers: smallAccount.auth, body: form }),
      413,
      10001,
      'Value length of 1025 exceeds limit of 1024.',
    )
    await expectOk(
      await small.fetch(path, { method: 'PUT', headers: smallAccount.auth, body: new Uint8Array(1024) }),
    )
  })

  test('keys list: byte order, prefix, limit and cursor; cursor is "" on the last page', async () => {
    const lister = await newAccount(kv)
    const id = await createNamespace(kv, lister, 'list')
    const names = ['b', 'a', 'a/1', 'a/2', 'ä', 'Z', 'a0']
    for (const name of names) {
      await expectOk(
        await kv.fetch(`${lister.ns}/${id}/values/${encodeURIComponent(name)}`, {
          method: 'PUT',
          headers: lister.auth,
          body: name,
        }),
      )
    }
    const list = async (query: string) =>
      expectOk(await kv.fetch(`${lister.ns}/${id}/keys${query}`, { headers: lister.auth }))
    const all = await list('?prefix=')
    expect(all.result.map((key: { name: string }) => key.name)).toEqual([
      'Z',
      'a',
      'a/1',
      'a/2',
      'a0',
      'b',
      'ä',
    ])
    expect(all.result_info).toEqual({ count: 7, cursor: '' })
    expect(all.result[0]).toEqual({ name: 'Z' })

    const seen: string[] = []
    let cursor = ''
    let pages = 0
    do {
      const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...page.result.map((key: { name: string }) => key.name))
      expect(page.result_info.count).toBe(page.result.length)
      cursor = page.result_info.cursor
      pages++
    } while (cursor)
    expect(seen).toEqual(['Z', 'a', 'a/1', 'a/2', 'a0', 'b', 'ä'])
    expect(pages).toBe(3)
    expect((await list('?prefix=a%2F')).result).toEqual([{ name: 'a/1' }, { name: 'a/2' }])
    expect((await list('?limit=1')).result).toEqual([{ name: 'Z' }])
  })

  test('keys list: a bad limit or cursor is 400', async () => {
    const cases: Array<[string, string | RegExp]> = [
      ['limit=0', 'Invalid key_count_limit of 0. Please specify an integer greater than 0.'],
      ['limit=abc', 'Invalid key_count_limit of abc. Please specify an integer greater than 0.'],
      ['limit=-1', 'Invalid key_count_limit of -1. Please specify an integer greater than 0.'],
      ['limit=1001', 'Invalid key_count_limit of 1001. Please specify an integer less than 1000.'],
      ['cursor=!!!', /cursor/],
      ['cursor=a', /cursor/],
    ]
    for (const [query, message] of cases) await expectError(await keys(`?${query}`), 400, 10001, message)
    await expectOk(await keys('?limit=1000'))
  })

  test('values of an unknown namespace are 404 10013', async () => {
    const missing = `${account.ns}/0123456789abcdef0123456789abcdef`
    for (const [method, path] of [
      ['GET', '/values/k'],
      ['PUT', '/values/k'],
      ['DELETE', '/values/k'],
      ['GET', '/metadata/k'],
      ['GET', '/keys'],
      ['PUT', '/bulk'],
      ['DELETE', '/bulk'],
      ['POST', '/bulk/delete'],
      ['POST', '/bulk/get'],
    ] as const) {
      const body = method === 'GET' ? undefined : path === '/bulk/get' ? '{"keys":["k"]}' : '[]'
      await expectError(
        await kv.fetch(`${missing}${path}`, { method, headers: account.auth, body }),
        404,
        10013,
        'namespace not found',
      )
    }
  })
})
