// Hostile input on every LightKV route: seeded random requests through fetch() and over a real
// port, plus hand-picked ones. Every answer is under 500, errors are LightKV's envelope
// {"ok": false, "error": {"code", "message"}} with the documented status for their code, /healthz
// keeps answering and nothing acknowledged is lost. The operator routes that create and rotate
// apps get the same treatment in their own {"error"} shape. The generated sweep runs under the
// default mount; the hand-picked cases under every mount.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import {
  adminErrorShapeProblem,
  type DialectFixture,
  HOSTILE_JSON,
  hostileRequest,
  jsonOf,
  ODD_AUTHORIZATION,
  type Random,
  Sweep,
  seededRandom,
  sendByFetch,
  sweep,
  watchUnhandled,
} from '../../support/hostile.ts'
import { ADMIN_TOKEN, listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type App, DEFAULT_MOUNT, failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

/** The contract's error codes and their statuses (INTERNAL_ERROR aside: a 5xx is a problem here). */
const DOCUMENTED_STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
}

/** Why an error answer is not LightKV's envelope with the status its code documents, or null. */
function envelopeProblem(status: number, headers: Headers, body: Uint8Array): string | null {
  if (!headers.get('content-type')?.startsWith('application/json'))
    return `content-type ${headers.get('content-type')}`
  const json = jsonOf(body)
  const error = json?.error
  if (
    json?.ok !== false ||
    Object.keys(json).length !== 2 ||
    typeof error?.code !== 'string' ||
    typeof error.message !== 'string' ||
    Object.keys(error).length !== 2
  )
    return 'not {"ok": false, "error": {"code", "message"}}'
  if (DOCUMENTED_STATUS[error.code] !== status) return `code ${error.code} with status ${status}`
  if (status === 405 && !['GET', 'POST', 'DELETE'].includes(headers.get('allow') ?? ''))
    return `405 with Allow ${headers.get('allow')}`
  return null
}

// Keys as JSON text: plausible ones, and ones at or past every edge of "1 to 512 bytes of UTF-8".
const BODY_KEYS = [
  '"k"',
  '"l"',
  '""',
  `"${'x'.repeat(512)}"`,
  `"${'x'.repeat(513)}"`,
  `"${'é'.repeat(257)}"`,
  '"\\u0000"',
  '"\\ud800"',
  '"a\\udc00"',
  '"\\ufffd"',
  '"__proto__"',
  '"%FF"',
  '"a\\"b\\\\"',
  '5',
  'null',
  'true',
  '[]',
  '{}',
  '["k"]',
]

/** One value's JSON text more than 64 KiB long (413). */
const OVERSIZE_VALUE = `"${'v'.repeat(64 * 1024)}"`

type HeaderSets = Array<Record<string, string>>

/** Authorization headers that open the test app, and wrong ones in LightKV's own carrier. */
async function authHeaders(kv: LightKvTest): Promise<{ auth: HeaderSets; oddAuth: HeaderSets }> {
  const other = await kv.newApp()
  const { read, readwrite } = kv.app
  return {
    auth: [
      { authorization: `Bearer ${readwrite}` },
      { authorization: `bearer \t${readwrite} ` },
      // The read token reaches every GET and is FORBIDDEN on the rest.
      { authorization: `Bearer ${read}` },
    ],
    oddAuth: [
      { authorization: `Bearer ${other.readwrite.slice(0, -1)}` },
      { authorization: `Bearer ${readwrite}x` },
      { authorization: `Bearer ${readwrite}, Bearer ${readwrite}` },
      { authorization: `Bearer ${readwrite} ${readwrite}` },
      { authorization: `Basic ${btoa(`${readwrite}:`)}` },
      { authorization: readwrite },
      { authorization: `Bearer ${readwrite.toUpperCase()}` },
      { authorization: `Bearer kvg_${'A'.repeat(12)}${'b'.repeat(32)}` },
    ],
  }
}

const primitive = (random: Random) =>
  random.chance(0.9) ? random.pick(HOSTILE_JSON) : random.pick([OVERSIZE_VALUE, '1e400', '"\\ud800"'])
const keyMember = (random: Random) => `"key":${random.pick(BODY_KEYS)}`

/** An item body with hostile members, some dropped, repeated or of the wrong type. */
const itemBody = (random: Random) => {
  const members = [keyMember(random), `"value":${primitive(random)}`]
  if (random.chance(0.2)) members.push(`"ttl":${random.pick(HOSTILE_JSON)}`)
  if (random.chance(0.1)) members.push(`"value":${primitive(random)}`)
  return `{${members.filter(() => random.chance(0.9)).join(',')}}`
}

/** A list body: duplicates, nested values, huge values, and now and then more items than a list may hold. */
const listBody = (random: Random) => {
  let values: string
  if (random.chance(0.03)) values = `[${Array.from({ length: 10_001 }, (_, i) => i).join(',')}]`
  else if (random.chance(0.1)) values = random.pick(['"a"', '{"0":"a"}', 'null', '[[1]]', '[{}]', '[1,]'])
  else values = `[${Array.from({ length: random.int(6) }, () => primitive(random)).join(',')}]`
  const members = [keyMember(random), `"values":${values}`].filter(() => random.chance(0.9))
  return `{${members.join(',')}}`
}

/** The path with a plausible or hostile key already in its query (the generator may add more). */
const keyed = (path: string) => (segment: () => string, random: Random) =>
  random.chance(0.7) ? `${path}?key=${segment()}&` : path

// The generator sends through fetch() without a Host, and its thousands of cases are the slowest
// part of the suite: it runs under the default mount, where the routes are the same as anywhere.
describeEachStore('LightKV hostile input: generated requests', (store) => {
  let kv: LightKvTest
  let server: { url: string; stop(): Promise<void> }
  /** An app only the operator sweep may rotate or delete. */
  let expendable: App
  const auth: HeaderSets = []
  const oddAuth: HeaderSets = []

  beforeAll(async () => {
    kv = await lightKvTest(store)
    server = listenTestKvgate(kv.kvgate)
    expendable = await kv.newApp()
    const headers = await authHeaders(kv)
    auth.push(...headers.auth)
    oddAuth.push(...headers.oddAuth)
  })
  afterAll(async () => {
    await server.stop()
    await kv.close()
  })

  const fixture: DialectFixture = {
    prefix: DEFAULT_MOUNT.prefix,
    auth,
    oddAuth,
    plain: ['k', 'l', 'user:42:score', 'caf%C3%A9', '%2B', 'a+b', 'x'],
    routes: [
      {
        methods: ['POST'],
        path: () => '/item/write',
        json: [{ key: '"k"', value: '9001' }],
        bodies: ['{"key": "user:42:score", "value": 9001}', '{"key":"k","value":{"a":1}}'],
        body: itemBody,
      },
      { methods: ['GET', 'HEAD'], path: keyed('/item/read'), params: ['key'] },
      { methods: ['GET'], path: keyed('/item/exists'), params: ['key'] },
      { methods: ['DELETE'], path: keyed('/item/delete'), params: ['key'] },
      // LightKV has no paging: limit, cursor and the like must be ignored, not tripped over.
      { methods: ['GET'], path: () => '/item/keys', params: ['prefix', 'limit', 'cursor', 'offset'] },
      ...['/list/write', '/list/add', '/list/remove'].map((path) => ({
        methods: ['POST'],
        path: () => path,
        json: [{ key: '"l"', values: '["a",1,null,true,"a"]' }],
        body: listBody,
      })),
      {
        methods: ['POST'],
        path: () => '/list/purge',
        json: [{ key: '"l"' }],
        body: (random: Random) => `{${keyMember(random)}}`,
      },
      { methods: ['GET'], path: keyed('/list/read'), params: ['key'] },
      { methods: ['GET'], path: keyed('/list/count'), params: ['key'] },
      { methods: ['GET'], path: keyed('/list/exists'), params: ['key', 'value'] },
      { methods: ['GET'], path: keyed('/list/index'), params: ['key', 'value'] },
      { methods: ['GET', 'HEAD'], path: keyed('/list/slice'), params: ['key', 'start', 'end'] },
      { methods: ['GET'], path: () => '/list/keys', params: ['prefix', 'limit', 'cursor'] },
      {
        methods: ['GET', 'POST'],
        path: (segment, random) => random.pick(['', '/', '/item', '/list/']) + segment(),
        params: ['key'],
      },
    ],
    async refresh() {
      // A case may delete the item or purge the list that later reads should find.
      await kv.post('/item/write', { key: 'k', value: 'seed' })
      await kv.post('/list/write', { key: 'l', values: ['a', 1, null] })
    },
    shapeProblem: envelopeProblem,
  }

  test('hostile requests get LightKV errors, never a 500, and lose nothing acknowledged', async () => {
    const unhandled = watchUnhandled()
    const canary = await kv.post('/item/write', { key: 'canary', value: 'kept' })
    expect(canary.status).toBe(200)
    const canaryList = await kv.post('/list/write', { key: 'canary', values: ['kept', 1] })
    expect(canaryList.status).toBe(200)
    await fixture.refresh!()

    const result = await sweep(kv.kvgate, server.url, fixture, {
      seed: 0x6c6b76,
      fetchCases: 1200,
      portCases: 150,
      big: {
        method: 'POST',
        path: `${DEFAULT_MOUNT.prefix}/item/write`,
        headers: auth[0]!,
        limit: 8 * 1024 * 1024,
      },
    })
    if (process.env.HOSTILE_VERBOSE) console.log(result.statuses)
    expect(result.problems).toEqual([])
    // The cases reach past authentication: some succeed, some are refused for their content.
    expect(result.statuses[200]).toBeGreaterThan(20)
    expect(result.statuses[400]).toBeGreaterThan(20)
    expect((await kv.get('/item/read?key=canary')).body).toEqual({
      ok: true,
      data: { key: 'canary', value: 'kept' },
    })
    expect((await kv.get('/list/read?key=canary')).body).toEqual({ ok: true, data: ['kept', 1] })
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('operator routes that create and rotate apps never answer 5xx and keep their {"error"} shape', async () => {
    const unhandled = watchUnhandled()
    const adminFixture: DialectFixture = {
      prefix: '/admin',
      auth: [{ authorization: `Bearer ${ADMIN_TOKEN}` }],
      // Only the expendable app: rotating or deleting the one the other tests use would lock them out.
      plain: [expendable.id, 'nope', '0'.repeat(32)],
      routes: [
        {
          methods: ['GET', 'POST'],
          path: (_segment, random) => random.pick(['/accounts', '/accounts/']),
          json: [{ dialect: '"lightkv"', name: '"shop"' }],
          bodies: [
            '{"dialect": "lightkv", "name": null}',
            `{"dialect": "lightkv", "name": "${'n'.repeat(201)}"}`,
          ],
        },
        {
          methods: ['POST'],
          path: (segment) => `/accounts/${segment()}/rotate`,
          json: [{ which: '"read"' }],
          bodies: ['{"which": "both"}', '{"which": "write"}', '{"which": ["read"]}'],
        },
        { methods: ['DELETE'], path: (segment) => `/accounts/${segment()}` },
      ],
      shapeProblem: adminErrorShapeProblem,
    }
    const random = seededRandom(0x61646d)
    const checks = new Sweep(adminFixture)
    for (let i = 0; i < 150; i++) {
      const request = hostileRequest(random, adminFixture)
      checks.check(request, await sendByFetch(kv.kvgate, request), 'fetch')
    }
    expect(checks.problems).toEqual([])
    // The app the other cases use still works.
    expect((await kv.get('/item/keys')).status).toBe(200)
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 20_000)
})

describeEachStoreAndMount('LightKV hostile input', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  const oddAuth: HeaderSets = []

  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
    oddAuth.push(...(await authHeaders(kv)).oddAuth)
  })
  afterAll(() => kv.close())

  test('hand-picked bad requests get the documented code and status', async () => {
    const { read, readwrite } = kv.app
    await kv.post('/list/write', { key: 'l', values: ['a', 'b', 'c'] })
    const big = 'x'.repeat(513)
    const cases: Array<[method: string, path: string, body: string | undefined, code: string]> = [
      // Bodies that are not JSON objects.
      ['POST', '/item/write', '{"key": "a",', 'BAD_REQUEST'],
      ['POST', '/item/write', "{'key': 'a', 'value': 1}", 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a", "value": 01}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a", "value": NaN}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a", "value": 1,}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a", "value": "\u0001"}', 'BAD_REQUEST'],
      ['POST', '/list/write', '['.repeat(20_000), 'BAD_REQUEST'],
      ['POST', '/list/add', '{"a":'.repeat(20_000), 'BAD_REQUEST'],
      ['POST', '/list/remove', 'key=l&values=a', 'BAD_REQUEST'],
      ['POST', '/list/purge', '', 'BAD_REQUEST'],
      // Values and keys of the wrong type or size.
      ['POST', '/item/write', '{"key": "a", "value": {"b": 1}}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a", "value": [1]}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": "a"}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": 1, "value": 1}', 'BAD_REQUEST'],
      ['POST', '/item/write', '{"key": ["a"], "value": 1}', 'BAD_REQUEST'],
      ['POST', '/item/write', `{"key": "${big}", "value": 1}`, 'BAD_REQUEST'],
      ['POST', '/item/write', `{"key": "${'é'.repeat(257)}", "value": 1}`, 'BAD_REQUEST'],
      ['POST', '/item/write', `{"key": "a", "value": ${OVERSIZE_VALUE}}`, 'PAYLOAD_TOO_LARGE'],
      ['POST', '/list/write', '{"key": "l2", "values": "a"}', 'BAD_REQUEST'],
      ['POST', '/list/write', '{"key": "l2", "values": {"0": "a"}}', 'BAD_REQUEST'],
      ['POST', '/list/add', '{"key": "l2", "values": [[1]]}', 'BAD_REQUEST'],
      ['POST', '/list/add', `{"key": "l2", "values": [${OVERSIZE_VALUE}]}`, 'PAYLOAD_TOO_LARGE'],
      ['POST', '/list/remove', '{"key": "l", "values": null}', 'BAD_REQUEST'],
      ['POST', '/list/purge', `{"key": "${big}"}`, 'BAD_REQUEST'],
      ['GET', `/item/read?key=${big}`, undefined, 'BAD_REQUEST'],
      ['DELETE', `/item/delete?key=${'%C3%A9'.repeat(257)}`, undefined, 'BAD_REQUEST'],
      ['GET', `/list/read?key=${big}`, undefined, 'BAD_REQUEST'],
      ['GET', '/list/index?key=l', undefined, 'BAD_REQUEST'],
      ['GET', '/item/exists?key=', undefined, 'BAD_REQUEST'],
      // Slice bounds that are not decimal integers.
      ...['1e2', '1.5', '', 'abc', '0x10', '%2B1', '%201', '1%20', '99999999999999999999', '9007199254740993']
        .flatMap((bound) => [`start=${bound}`, `end=${bound}`])
        .map((query): [string, string, undefined, string] => [
          'GET',
          `/list/slice?key=l&${query}`,
          undefined,
          'BAD_REQUEST',
        ]),
      // Missing things, wrong methods.
      ['GET', '/item/read?key=missing', undefined, 'NOT_FOUND'],
      ['DELETE', '/item/delete?key=missing', undefined, 'NOT_FOUND'],
      ['GET', '/list/slice?key=missing&start=0&end=1', undefined, 'NOT_FOUND'],
      ['POST', '/list/remove', '{"key": "missing", "values": [1]}', 'NOT_FOUND'],
      ['GET', '/item/reads', undefined, 'NOT_FOUND'],
      ['PUT', '/item/write', '{"key": "a", "value": 1}', 'METHOD_NOT_ALLOWED'],
      ['GET', '/list/add', undefined, 'METHOD_NOT_ALLOWED'],
    ]
    for (const [method, path, body, code] of cases) {
      const response = await kv.fetch(path, {
        method,
        headers: { authorization: `Bearer ${readwrite}` },
        body,
      })
      const bytes = new Uint8Array(await response.arrayBuffer())
      const label = `${method} ${path.slice(0, 80)} ${body?.slice(0, 60)}`
      expect({ label, code: jsonOf(bytes)?.error?.code }).toEqual({ label, code })
      expect({ label, problem: envelopeProblem(response.status, response.headers, bytes) }).toEqual({
        label,
        problem: null,
      })
    }

    // Members and parameters LightKV does not have (a TTL, paging) are ignored, whatever they hold.
    for (const ttl of ['-1', '1e400', '"60"', '{}', 'null']) {
      const written = await kv.call('POST', '/item/write', {
        raw: `{"key": "ttl", "value": 1, "ttl": ${ttl}}`,
      })
      expect(written.body).toEqual({ ok: true, data: { key: 'ttl', value: 1 } })
    }
    for (const paging of [
      'limit=-1',
      'limit=abc&cursor=%FF',
      'cursor=%ZZ&offset=1e400',
      'page=0&per_page=0',
    ]) {
      expect((await kv.get(`/item/keys?prefix=ttl&${paging}`, read)).body).toEqual({
        ok: true,
        data: ['ttl'],
      })
      expect((await kv.get(`/list/keys?prefix=l&${paging}`, read)).body).toEqual({ ok: true, data: ['l'] })
    }
    // Numbers that are odd but valid JSON keep their text.
    for (const value of ['1e400', '-0', '12345678901234567890', '0.1e-999']) {
      const written = await kv.call('POST', '/item/write', { raw: `{"key": "n", "value": ${value}}` })
      expect(written.text).toBe(`{"ok":true,"data":{"key":"n","value":${value}}}`)
      expect((await kv.get('/item/read?key=n')).text).toBe(`{"ok":true,"data":{"key":"n","value":${value}}}`)
    }
  })

  test('odd Authorization headers are UNAUTHORIZED, a read token on a write FORBIDDEN', async () => {
    const { read, readwrite } = kv.app
    const headers = [...ODD_AUTHORIZATION.map((authorization) => ({ authorization })), ...oddAuth, {}]
    for (const header of headers) {
      for (const [method, path] of [
        ['GET', '/item/keys'],
        ['POST', '/item/write'],
      ] as const) {
        const response = await kv.fetch(path, {
          method,
          headers: header,
          body: method === 'POST' ? '{"key": "k", "value": 1}' : undefined,
        })
        const label = `${method} ${path} ${JSON.stringify(header).slice(0, 80)}`
        expect({ label, status: response.status }).toEqual({ label, status: 401 })
        expect(await response.json()).toEqual(failure('UNAUTHORIZED'))
      }
    }
    for (const authorization of [`Bearer ${read}`, `bearer ${read}`]) {
      const answer = await kv.call('DELETE', '/item/delete?key=k', {
        token: null,
        headers: { authorization },
      })
      expect(answer.status).toBe(403)
      expect(answer.body).toEqual(failure('FORBIDDEN'))
    }
    // The scheme is case-insensitive and spaces around the token do not count (RFC 9110).
    for (const authorization of [`bearer ${readwrite}`, `BEARER  ${readwrite}`, `Bearer\t${readwrite}`]) {
      const answer = await kv.call('GET', '/item/keys', { token: null, headers: { authorization } })
      expect(answer.status).toBe(200)
    }
  })

  test('odd keys written with success read back byte for byte', async () => {
    const app = await kv.newApp()
    const keys = [
      '\u0000',
      'a\u0000b',
      '\ufffd',
      '\ufeffbom',
      '😀',
      'ключ',
      '../..',
      'a/b',
      '%ZZ',
      '%FF',
      '+',
      'a b',
      '&=?#',
      '__proto__',
      'constructor',
      '"\'\\',
      '\u2028\u2029',
      '\r\n\t',
      ' ',
      'é'.repeat(256),
      '𝄞'.repeat(128),
    ]
    for (const [i, key] of keys.entries()) {
      const query = `key=${encodeURIComponent(key)}`
      const written = await kv.post('/item/write', { key, value: `v${i}` }, app.readwrite)
      expect({ key, body: written.body }).toEqual({ key, body: { ok: true, data: { key, value: `v${i}` } } })
      const read = await kv.get(`/item/read?${query}`, app.read)
      expect({ key, body: read.body }).toEqual({ key, body: { ok: true, data: { key, value: `v${i}` } } })
      const list = await kv.post('/list/write', { key, values: [key, i] }, app.readwrite)
      expect({ key, status: list.status }).toEqual({ key, status: 200 })
      expect((await kv.get(`/list/read?${query}`, app.read)).body).toEqual({ ok: true, data: [key, i] })
      const index = await kv.get(`/list/index?${query}&value=${encodeURIComponent(key)}`, app.read)
      expect({ key, body: index.body }).toEqual({ key, body: { ok: true, data: 0 } })
    }
    const sorted = (list: string[]) => [...list].sort()
    expect(sorted((await kv.get('/item/keys', app.read)).body.data)).toEqual(sorted(keys))
    expect(sorted((await kv.get('/list/keys', app.read)).body.data)).toEqual(sorted(keys))
  })

  test('keys that have no UTF-8 form are refused, not stored under another key', async () => {
    const app = await kv.newApp()
    const refused = (answer: { status: number; body: unknown }) => {
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual(failure('BAD_REQUEST'))
    }
    // Lone surrogates in a JSON escape: UTF-8 cannot encode them.
    for (const key of ['\\ud800', 'a\\udc00', '\\udbff\\udbff']) {
      for (const path of ['/item/write', '/list/write', '/list/add']) {
        refused(
          await kv.call('POST', path, {
            token: app.readwrite,
            raw: `{"key": "${key}", "value": 1, "values": [1]}`,
          }),
        )
      }
    }
    // Bytes that are not UTF-8, raw in the body or percent-encoded in the query.
    const response = await kv.fetch('/item/write', {
      method: 'POST',
      headers: { authorization: `Bearer ${app.readwrite}` },
      body: new Uint8Array([
        ...new TextEncoder().encode('{"key": "'),
        0xff,
        ...new TextEncoder().encode('", "value": 1}'),
      ]),
    })
    refused({ status: response.status, body: await response.json() })
    await kv.post('/item/write', { key: '\ufffd', value: 'replacement character' }, app.readwrite)
    for (const key of ['%FF', '%ED%A0%80', '%C0%AF']) {
      refused(await kv.get(`/item/read?key=${key}`, app.read))
      refused(await kv.call('DELETE', `/item/delete?key=${key}`, { token: app.readwrite }))
    }
    expect((await kv.get('/item/keys', app.read)).body).toEqual({ ok: true, data: ['\ufffd'] })
    expect((await kv.get('/list/keys', app.read)).body).toEqual({ ok: true, data: [] })
  })
})
