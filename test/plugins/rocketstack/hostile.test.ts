// Hostile input on every RocketStack route: seeded random requests through fetch() and over a real
// port, plus hand-picked ones with the status and code the contract gives them. Every answer is
// under 500, errors are {"error": {"code", "message"}} with the code's own status, /healthz keeps
// answering and nothing acknowledged is lost.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import {
  type DialectFixture,
  type HostileRequest,
  jsonOf,
  preview,
  type Random,
  Sweep,
  sendByFetch,
  sweep,
  watchUnhandled,
} from '../../support/hostile.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { ITEMS, MOUNTS, mounted, mountPath } from './client.ts'

/** The statuses each error code of the contract's table may carry. */
const STATUSES_OF_CODE: Record<string, number[]> = {
  BAD_REQUEST: [400],
  UNAUTHORIZED: [401],
  QUOTA_EXCEEDED: [403],
  NOT_FOUND: [404],
  METHOD_NOT_ALLOWED: [405],
  CONFLICT: [409],
  PAYLOAD_TOO_LARGE: [413],
  RATE_LIMITED: [429],
  INTERNAL: [500, 503],
}

const MAX_VALUE_BYTES = 1024 * 1024
const ENVELOPE_BYTES = 64 * 1024

/** Value texts for generated PUT bodies: valid but odd JSON, and a few that are not JSON at all. */
const VALUES = [
  '{"b":1,"a":[true,null]}',
  '12345678901234567890',
  '"\\u00e9\\ud83d\\ude00"',
  '"\\ud800"',
  '"\\u0000"',
  '-0',
  '1e400',
  '1.50',
  'null',
  '[]',
  '{"value":{"value":1}}',
  '{"__proto__":{"polluted":true}}',
  `"${'x'.repeat(600)}"`,
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  ' [ 1 , "a b" ] ',
  'NaN',
  'undefined',
  "'single'",
  '',
]

/** Other PUT fields, each with plausible, out-of-range and wrongly typed values. */
const FIELD_VALUES: Record<string, string[]> = {
  ttlSeconds: ['60', '1', '31536000', '31536001', '0', '-1', '1.5', '"60"', 'null', '1e400', 'true'],
  ifNotExists: ['true', 'false', 'null', '"true"', '1', '[]'],
  ifVersion: ['"1"', '1', '"abc"', '""', 'null', '1.5', '{}', '1e400', '99999999999999999999', '"W/\\"1\\""'],
}

/** A response's body parsed as JSON, or null. */
const jsonAnswer = async (response: Response) => jsonOf(new Uint8Array(await response.arrayBuffer()))

function itemBody(random: Random): string {
  const fields = random.chance(0.9) ? [`"value":${random.pick(VALUES)}`] : []
  for (const [name, values] of Object.entries(FIELD_VALUES))
    if (random.chance(0.35)) fields.push(`"${name}":${random.pick(values)}`)
  // JSON.parse keeps the last of duplicate names, and reads escapes in names.
  if (random.chance(0.1)) fields.push(`"value":${random.pick(VALUES)}`)
  if (random.chance(0.1)) fields.push(`"v\\u0061lue":${random.pick(VALUES)}`)
  return `{${fields.join(random.pick([',', ' , ', ',\n']))}}`
}

describeEachStoreAndMount('RocketStack hostile input', MOUNTS, (store, mount) => {
  /** The kvgate served, and as the mount's clients see it (see client.ts). */
  let served: TestKvgate
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  const state = { key: '', other: '' }
  const auth: Array<Record<string, string>> = []
  const oddAuth: Array<Record<string, string>> = []

  beforeAll(async () => {
    served = testKvgate([rocketstackDialect], { ...store.env, ...mount.env })
    kvgate = mounted(served, mount)
    server = listenTestKvgate(served)
    state.key = (await kvgate.createAccount('rocketstack')).credentials.api_key!
    state.other = (await kvgate.createAccount('rocketstack')).credentials.api_key!
    auth.push({ authorization: `Bearer ${state.key}` }, { authorization: `bearer \t${state.key} ` })
    oddAuth.push(
      { authorization: `Bearer ${state.other}` },
      { authorization: `Bearer ${state.key}x` },
      { authorization: state.key },
      { authorization: `Bearer ${state.key}, Bearer ${state.key}` },
      { authorization: `Basic ${btoa(`${state.key}:`)}` },
      { 'x-api-key': state.key },
    )
  })
  afterAll(async () => {
    await server.stop()
    await served.close()
  })

  const fixture: DialectFixture = {
    prefix: mount.prefix,
    auth,
    oddAuth,
    plain: ['k', 'user-123-prefs', 'session-abc123', 'a/b', 'caf%C3%A9', '%F0%9F%98%80'],
    routes: [
      {
        methods: ['GET', 'PUT', 'DELETE'],
        path: (segment, random) => `/kv/items/${segment()}${random.chance(0.3) ? `/${segment()}` : ''}`,
        json: [{ value: '{"a":1}', ttlSeconds: '60', ifNotExists: 'false', ifVersion: '"1"' }],
        bodies: ['{"value":null}', '{"value":1}', '{"value"}', '{"value":1}{"value":2}', '{"value":1,}'],
        body: itemBody,
      },
      {
        methods: ['GET'],
        path: (_segment, random) => random.pick(['/kv/items', '/kv/items/']),
        params: ['prefix', 'limit', 'cursor'],
      },
      {
        methods: ['GET', 'POST'],
        path: (segment, random) =>
          random.pick([
            '',
            '/',
            '/kv',
            '/kv/',
            '/kv/itemz',
            `/v1/kv/items/${segment()}`,
            `/kv/items${segment()}`,
          ]),
      },
    ],
    shapeProblem(status, headers, body) {
      if (!headers.get('content-type')?.startsWith('application/json'))
        return `content-type ${headers.get('content-type')}`
      const json = jsonOf(body)
      const error = json?.error
      if (typeof error !== 'object' || error === null || Object.keys(json).length !== 1)
        return 'not {"error": {...}}'
      if (Object.keys(error).sort().join() !== 'code,message') return 'error is not {"code", "message"}'
      if (typeof error.message !== 'string' || error.message === '') return 'no message'
      if (!STATUSES_OF_CODE[error.code]?.includes(status)) return `code ${error.code} with status ${status}`
      if (status === 401 && !headers.get('www-authenticate')) return '401 without WWW-Authenticate'
      if (status === 405 && !headers.get('allow')) return '405 without Allow'
      return null
    },
  }

  // The sweep's raw requests go out with Host: localhost (rawOf in test/support/hostile.ts), which
  // reaches no host-routed mount; there the hand-picked, odd-key and odd-value cases below still run.
  const sweepable = mount.host === 'localhost'
  if (sweepable)
    test('hostile requests get RocketStack errors, never a 500, and lose nothing acknowledged', async () => {
      const unhandled = watchUnhandled()
      // The generator cannot name this key (no plain segment holds "canary"), so it must survive as is.
      const canaryPath = `${ITEMS}/canary/kept`
      const put = await kvgate.fetch(canaryPath, {
        method: 'PUT',
        headers: auth[0],
        body: '{"value":{"kept":12345678901234567890}}',
      })
      expect(put.status).toBe(200)
      const canary = await put.text()

      const result = await sweep(kvgate, server.url, fixture, {
        seed: 0x726f636b,
        fetchCases: 2000,
        portCases: 200,
        big: {
          method: 'PUT',
          path: mountPath(`${ITEMS}/big`, mount),
          headers: { ...auth[0]!, 'content-type': 'application/json' },
          limit: MAX_VALUE_BYTES + ENVELOPE_BYTES,
        },
      })
      if (process.env.HOSTILE_VERBOSE) console.log(result.statuses)
      expect(result.problems).toEqual([])
      // The cases must reach past authentication and routing, not stop at 401 and 404.
      for (const status of [200, 400, 401, 404, 405, 409, 413])
        expect(result.statuses[status]).toBeGreaterThan(0)
      expect(await (await kvgate.fetch(canaryPath, { headers: auth[0] })).text()).toBe(canary)
      await Bun.sleep(10)
      expect(unhandled.stop()).toEqual([])
    }, 30_000)

  test('hand-picked hostile requests get the status and code the contract gives them', async () => {
    const unhandled = watchUnhandled()
    const bearer = `Bearer ${state.key}`
    const seeded = await kvgate.fetch(`${ITEMS}/hand/existing`, {
      method: 'PUT',
      headers: { authorization: bearer },
      body: '{"value":"seeded"}',
    })
    expect(seeded.status).toBe(200)
    const version = (await jsonAnswer(seeded)).data.version as string
    const second = { method: 'PUT', headers: { authorization: bearer }, body: '{"value":2}' }
    expect((await kvgate.fetch(`${ITEMS}/hand/second`, second)).status).toBe(200)
    const listed = await kvgate.fetch(`${ITEMS}?prefix=hand/&limit=1`, { headers: { authorization: bearer } })
    const firstPage = (await jsonAnswer(listed)).data.cursor as string
    expect(firstPage).toBeString()

    const existing = `${ITEMS}/hand/existing`
    const fresh = (name: string) => `${ITEMS}/hand/${name}`
    const utf8Body = (text: string) => new TextEncoder().encode(text)
    type Case = Omit<HostileRequest, 'headers'> & {
      headers?: Record<string, string>
      /** The Authorization header; the account's own key when left out, none when null. */
      authorization?: string | null
      status: number
      code?: string
    }
    const put = (path: string, body: string | Uint8Array, status: number, code?: string, headers = {}) => ({
      method: 'PUT',
      path,
      body,
      headers,
      status,
      code,
    })
    const cases: Case[] = [
      // Bodies that are not a JSON object with "value".
      ...[
        '',
        ' ',
        '{',
        '{"value":1',
        '{"value":}',
        "{'value':1}",
        '{"value":NaN}',
        '{"value":undefined}',
      ].map((body) => put(existing, body, 400, 'BAD_REQUEST')),
      ...[
        '{"value":1}{}',
        '{"value":1,}',
        '[{"value":1}]',
        'null',
        '"value"',
        '{"val":1}',
        '{"Value":1}',
      ].map((body) => put(existing, body, 400, 'BAD_REQUEST')),
      put(existing, utf8Body('{"value":"\u0000"}\u0000'), 400, 'BAD_REQUEST'),
      put(
        existing,
        new Uint8Array([0x7b, 0x22, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
        400,
        'BAD_REQUEST',
      ),
      // Fields of the wrong type or out of range: 400 and nothing written.
      ...['0', '-1', '1.5', '"60"', '31536001', 'true', '[]', '{}', '1e400', '-1e400', '"1e3"'].map((ttl) =>
        put(existing, `{"value":1,"ttlSeconds":${ttl}}`, 400, 'BAD_REQUEST'),
      ),
      ...['"true"', '1', '0', '"yes"', '[]', '{}'].map((flag) =>
        put(existing, `{"value":1,"ifNotExists":${flag}}`, 400, 'BAD_REQUEST'),
      ),
      ...['""', 'true', '{}', '[]', '1e400', '["1"]'].map((ifVersion) =>
        put(existing, `{"value":1,"ifVersion":${ifVersion}}`, 400, 'BAD_REQUEST'),
      ),
      // Versions no entry can have are mismatches, not bad input.
      ...['"abc"', '0', '-0', '1.5', '"0"', '"07"', '99999999999999999999', '"1e3"', '1e21'].map(
        (ifVersion) => put(existing, `{"value":1,"ifVersion":${ifVersion}}`, 409, 'CONFLICT'),
      ),
      put(existing, '{"value":1,"ifNotExists":true}', 409, 'CONFLICT'),
      put(fresh('absent'), '{"value":1,"ifVersion":"1"}', 409, 'CONFLICT'),
      // null counts as absent; the extremes of the TTL are fine.
      put(fresh('nulls'), '{"value":null,"ttlSeconds":null,"ifNotExists":null,"ifVersion":null}', 200),
      put(fresh('ttl-max'), '{"value":1,"ttlSeconds":31536000}', 200),
      put(fresh('ttl-min'), '{"value":1,"ttlSeconds":1}', 200),
      // Conditional headers that are malformed, disagree with the body or with each other.
      ...['"1"', '**', 'W/"1"', '"*"', '*, *'].map((tag) =>
        put(existing, '{"value":1}', 400, 'BAD_REQUEST', { 'if-none-match': tag }),
      ),
      ...[`"${version}", "${version}"`, '"', 'W/', 'W/""', '""', `"${version}`, `a"b`].map((tag) =>
        put(existing, '{"value":1}', 400, 'BAD_REQUEST', { 'if-match': tag }),
      ),
      ...['abc', '0', '1e400', '"-1"', 'W/"abc"', ` ${'9'.repeat(40)} `].map((tag) =>
        put(existing, '{"value":1}', 409, 'CONFLICT', { 'if-match': tag }),
      ),
      put(fresh('absent'), '{"value":1}', 409, 'CONFLICT', { 'if-match': '*' }),
      put(existing, '{"value":1}', 400, 'BAD_REQUEST', { 'if-match': version, 'if-none-match': '*' }),
      put(existing, '{"value":1}', 400, 'BAD_REQUEST', { 'if-match': '*', 'if-none-match': '*' }),
      put(existing, '{"value":1,"ifNotExists":false}', 400, 'BAD_REQUEST', { 'if-none-match': '*' }),
      put(existing, '{"value":1,"ifNotExists":true}', 400, 'BAD_REQUEST', { 'if-match': version }),
      put(existing, '{"value":1,"ifVersion":"1"}', 400, 'BAD_REQUEST', { 'if-match': '"2"' }),
      put(existing, `{"value":1,"ifVersion":"${version}"}`, 400, 'BAD_REQUEST', { 'if-match': '*' }),
      put(existing, `{"value":1,"ifNotExists":true,"ifVersion":"${version}"}`, 400, 'BAD_REQUEST'),
      ...['abc', '"0"', 'W/"abc"'].map((tag) => ({
        method: 'DELETE',
        path: existing,
        headers: { 'if-match': tag },
        status: 409,
        code: 'CONFLICT',
      })),
      {
        method: 'DELETE',
        path: fresh('absent'),
        headers: { 'if-match': '*' },
        status: 409,
        code: 'CONFLICT',
      },
      ...['"1", "2"', '"', 'W/', '""'].map((tag) => ({
        method: 'DELETE',
        path: existing,
        headers: { 'if-match': tag },
        status: 400,
        code: 'BAD_REQUEST',
      })),
      // Keys and values beyond the limits, and empty or invalid keys.
      ...['GET', 'PUT', 'DELETE'].flatMap((method) =>
        [
          'k'.repeat(513),
          encodeURIComponent('é'.repeat(257)),
          'k'.repeat(4000),
          '%FF',
          '%ED%A0%80',
          '%C0%AF',
        ].map((key) => ({
          method,
          path: `${ITEMS}/${key}`,
          body: method === 'PUT' ? '{"value":1}' : undefined,
          status: 400,
          code: 'BAD_REQUEST',
        })),
      ),
      ...[ITEMS, `${ITEMS}/`].flatMap((path) => [
        put(path, '{"value":1}', 400, 'BAD_REQUEST'),
        { method: 'DELETE', path, status: 400, code: 'BAD_REQUEST' },
      ]),
      put(fresh('big'), `{"value":"${'x'.repeat(MAX_VALUE_BYTES - 1)}"}`, 413, 'PAYLOAD_TOO_LARGE'),
      put(fresh('big'), `{"value":[${'1,'.repeat(MAX_VALUE_BYTES / 2)}1]}`, 413, 'PAYLOAD_TOO_LARGE'),
      put(
        fresh('big'),
        `{"value":1,"pad":"${'p'.repeat(MAX_VALUE_BYTES + ENVELOPE_BYTES)}"}`,
        413,
        'PAYLOAD_TOO_LARGE',
      ),
      // Paging parameters.
      ...['0', '1001', '-1', 'ten', '1.5', '1e3', '0x10', '%201', '1%20', '99999', '+1', 'Infinity'].map(
        (limit) => ({ method: 'GET', path: `${ITEMS}?limit=${limit}`, status: 400, code: 'BAD_REQUEST' }),
      ),
      ...['%%%', 'A', 'a+b', '====', 'A'.repeat(1000), '%FF', 'a.b', `${firstPage}=`].map((cursor) => ({
        method: 'GET',
        path: `${ITEMS}?cursor=${cursor}`,
        status: 400,
        code: 'BAD_REQUEST',
      })),
      { method: 'GET', path: `${ITEMS}?limit=1&limit=abc`, status: 400, code: 'BAD_REQUEST' },
      ...[
        '?limit=&cursor=&prefix=',
        `?cursor=${firstPage}&limit=1000`,
        '?prefix=%FF',
        '?prefix=%00',
        `?prefix=${'p'.repeat(4000)}`,
        '?__proto__=1&constructor=x&toString=y&hasOwnProperty=z',
        '?prefix',
        '?limit=1000&limit=1',
      ].map((query) => ({ method: 'GET', path: `${ITEMS}${query}`, status: 200 })),
      // Authorization headers that are not this account's Bearer key.
      ...[
        null,
        '',
        'Bearer',
        'Bearer ',
        `Bearer ${state.key}x`,
        `Bearer ${state.key} extra`,
        `Bearer ${state.key}, Bearer ${state.key}`,
        `Basic ${btoa(`${state.key}:`)}`,
        `Basic ${btoa(`:${state.key}`)}`,
        `Token ${state.key}`,
        state.key,
        `Bearer ${'x'.repeat(8000)}`,
        'Bearer \u00ff',
      ].flatMap((authorization) =>
        [
          ['GET', existing],
          ['PUT', existing],
          ['DELETE', existing],
          ['GET', ITEMS],
          ['PUT', ITEMS],
        ].map(([method, path]) => ({
          method: method!,
          path: path!,
          authorization,
          body: method === 'PUT' ? '{"value":"stolen"}' : undefined,
          status: 401,
          code: 'UNAUTHORIZED',
        })),
      ),
      { method: 'GET', path: existing, authorization: `bearer\t${state.key}`, status: 200 },
      {
        method: 'GET',
        path: existing,
        authorization: `Bearer ${state.other}`,
        status: 404,
        code: 'NOT_FOUND',
      },
      // Unknown routes and wrong methods.
      ...[
        '/rocketstack',
        '/rocketstack/kv',
        '/rocketstack/kv/itemz',
        `${ITEMS}%2Fk`,
        '/rocketstack/v1/kv/items/k',
      ].map((path) => ({ method: 'GET', path, status: 404, code: 'NOT_FOUND' })),
      ...['POST', 'PATCH', 'PROPFIND'].flatMap((method) => [
        { method, path: existing, body: '{"value":1}', status: 405, code: 'METHOD_NOT_ALLOWED' },
        { method, path: ITEMS, body: '{"value":1}', status: 405, code: 'METHOD_NOT_ALLOWED' },
      ]),
    ]

    const checks = new Sweep(fixture)
    const wrong: string[] = []
    for (const { status, code, authorization, ...request } of cases) {
      const headers: Record<string, string> = { ...request.headers }
      if (authorization === undefined) headers.authorization = bearer
      else if (authorization !== null) headers.authorization = authorization
      const hostile = { ...request, path: mountPath(request.path, mount), headers }
      const answer = await sendByFetch(kvgate, hostile)
      checks.check(hostile, answer, 'fetch')
      const got = { status: answer?.status, code: answer && jsonOf(answer.body)?.error?.code }
      if (got.status !== status || got.code !== code)
        wrong.push(
          `${request.method} ${request.path.slice(0, 100)} ${JSON.stringify(headers).slice(0, 120)} ${String(request.body).slice(0, 60)}: ${got.status} ${answer ? preview(answer.body) : ''}, expected ${status} ${code ?? ''}`,
        )
    }
    expect(checks.problems).toEqual([])
    expect(wrong).toEqual([])
    // No refused write touched the seeded key.
    const after = await kvgate.fetch(existing, { headers: { authorization: bearer } })
    expect((await jsonAnswer(after)).data).toMatchObject({ value: 'seeded', version })
    expect((await kvgate.fetch('/healthz')).status).toBe(200)
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('odd keys and values written with 200 read back byte for byte', async () => {
    const headers = { authorization: `Bearer ${state.key}` }
    const keys = [
      '%00',
      'a%00b',
      '%FF%FE',
      '%ED%A0%80',
      '%C0%AF',
      '%F0%9F%98%80',
      '%D0%BA%D0%BB%D1%8E%D1%87',
      '%EF%BB%BFbom',
      '%E2%80%AEltr',
      '%0D%0A',
      '%22%5C%27',
      '..%2F..',
      'a%2Fb',
      '%25ZZ',
      '__proto__',
      'odd%20key%2B%3F%23',
    ]
    const value = '{"z":"\\u0000\\ud83d\\ude00\\ud800","a":[12345678901234567890,-0,1e400,1.50],"":null}'
    for (const key of keys) {
      // Keys are UTF-8 text after percent-decoding; decodeURIComponent refuses the same byte strings.
      let text: string | null
      try {
        text = decodeURIComponent(key)
      } catch {
        text = null
      }
      const path = `${ITEMS}/${key}`
      const written = await kvgate.fetch(path, { method: 'PUT', headers, body: `{"value":${value}}` })
      const writtenJson = await jsonAnswer(written)
      if (text === null) {
        expect({ key, status: written.status, code: writtenJson?.error?.code }).toEqual({
          key,
          status: 400,
          code: 'BAD_REQUEST',
        })
        continue
      }
      expect({ key, status: written.status, answered: writtenJson?.data?.key }).toEqual({
        key,
        status: 200,
        answered: text,
      })
      const read = await kvgate.fetch(path, { headers })
      const body = await read.text()
      expect({
        key,
        status: read.status,
        answered: jsonOf(new TextEncoder().encode(body))?.data?.key,
      }).toEqual({
        key,
        status: 200,
        answered: text,
      })
      expect(body).toContain(`"value":${value},"version"`)
      // The list names it the same way, as the first key under itself as a prefix.
      const page = await jsonAnswer(
        await kvgate.fetch(`${ITEMS}?prefix=${encodeURIComponent(text)}&limit=1`, { headers }),
      )
      expect({ key, listed: page.data.items[0]?.key }).toEqual({ key, listed: text })
    }
  })

  test('odd values come back as sent, only whitespace outside strings dropped', async () => {
    const headers = { authorization: `Bearer ${state.key}` }
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    const cases: Array<[body: string, stored: string]> = [
      ['{"value": { "b" : [ 1 , "x  y" ] , "a":{} } }', '{"b":[1,"x  y"],"a":{}}'],
      ['{"value":1,"value":"last"}', '"last"'],
      ['{"v\\u0061lue":"escaped name"}', '"escaped name"'],
      ['{"value":"first","v\\u0061lue":"escaped last"}', '"escaped last"'],
      ['{"value":null,"ttlSeconds":null}', 'null'],
      ['{"value":"\\"}\\\\","other":{"value":2}}', '"\\"}\\\\"'],
      ['{"other":{"value":2},"value":3}', '3'],
      ['{"value":-1.0E+2}', '-1.0E+2'],
      ['\t\r\n {"value":\n"\\t"\n}\n', '"\\t"'],
      [`{"value":${deep}}`, deep],
    ]
    for (const [index, [body, stored]] of cases.entries()) {
      const path = `${ITEMS}/values/${index}`
      const written = await kvgate.fetch(path, { method: 'PUT', headers, body })
      expect({ body: body.slice(0, 60), status: written.status }).toEqual({
        body: body.slice(0, 60),
        status: 200,
      })
      expect(await written.text()).toContain(`"value":${stored},"version"`)
      expect(await (await kvgate.fetch(path, { headers })).text()).toContain(`"value":${stored},"version"`)
    }
  })
})
