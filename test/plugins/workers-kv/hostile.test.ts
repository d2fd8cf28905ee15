// Hostile input on every Workers KV route: seeded random requests through fetch() and over a real
// port, plus hand-picked ones. Every answer is under 500, every error is the v4 envelope
// {success: false, errors: [{code, message}], messages: [], result: null} with the status the
// contract gives its code, /healthz keeps answering and nothing acknowledged is lost.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import {
  type DialectFixture,
  expectOddKeysReadBack,
  HOSTILE_JSON,
  jsonOf,
  multipart,
  ODD_KEYS,
  type Random,
  sweep,
  watchUnhandled,
} from '../../support/hostile.ts'
import { listenTestKvgate, type TestKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type Account, createNamespace, newAccount, openKvgate } from './helpers.ts'

/** The statuses the contract gives each error code (10002 / 503 needs a store outage, 971 a rate limit). */
const STATUSES_OF_CODE: Record<number, number[]> = {
  1000: [401],
  6003: [400],
  7001: [405],
  7003: [404],
  10000: [401, 403],
  10001: [400, 413, 414],
  10009: [404],
  10013: [404],
  10014: [400],
}

/** Why an error answer is not the v4 envelope with one documented error, or null when it is. */
function envelopeProblem(status: number, headers: Headers, body: Uint8Array): string | null {
  if (!headers.get('content-type')?.startsWith('application/json'))
    return `content-type ${headers.get('content-type')}`
  const json = jsonOf(body)
  if (json === null || typeof json !== 'object') return 'not JSON'
  if (Object.keys(json).sort().join() !== 'errors,messages,result,success') return 'not the v4 envelope'
  if (json.success !== false || json.result !== null) return 'success or result wrong'
  if (!Array.isArray(json.messages) || json.messages.length > 0) return 'messages not []'
  if (!Array.isArray(json.errors) || json.errors.length !== 1) return 'not exactly one error'
  const [error] = json.errors
  if (!Number.isInteger(error?.code) || typeof error.message !== 'string' || error.message === '')
    return 'error without a code and message'
  if (Object.keys(error).some((name) => !['code', 'message', 'error_chain'].includes(name)))
    return 'error with unknown fields'
  if (!STATUSES_OF_CODE[error.code]?.includes(status)) return `code ${error.code} with status ${status}`
  return null
}

// Small value and bulk limits, so the over-limit cases of the sweep stay cheap, yet room for JSON
// nested deeper than JSON.stringify can write back (JSON.parse takes it).
const MAX_VALUE_BYTES = 256 * 1024
const LIMITS = {
  KVGATE_WORKERS_KV_MAX_VALUE_BYTES: String(MAX_VALUE_BYTES),
  KVGATE_WORKERS_KV_MAX_BULK_BYTES: String(512 * 1024),
}
const DEEP_JSON = `${'['.repeat(100_000)}${']'.repeat(100_000)}`

const BULK_KEYS = [
  '"k"',
  '"a/b"',
  '""',
  '"."',
  '".."',
  `"${'x'.repeat(513)}"`,
  `"${'é'.repeat(257)}"`,
  '"\\u0000"',
  '"\\ud800"',
  '"__proto__"',
  '1',
  'null',
  '["k"]',
]
const BULK_VALUES = [
  '"v"',
  '""',
  '"AAEC"',
  '"!!"',
  '"A"',
  '"=="',
  '"[1,{\\"a\\":null}]"',
  `"${DEEP_JSON}"`,
  '1',
  'null',
  '{"a":1}',
  '"\\u0000\\ud800"',
]
const EXPIRIES = [
  '60',
  '59',
  '0',
  '-1',
  '1.5',
  '"60"',
  '" 120 "',
  '""',
  'null',
  '"abc"',
  '1e400',
  '9007199254740991',
  '99999999999999999999',
  'true',
  '[]',
  String(Math.floor(Date.now() / 1000) + 3600),
  '253402300799',
  '253402300800',
]
const METADATA = [
  '{"a":1}',
  '"text"',
  'null',
  '[1,[2]]',
  '{"__proto__":{"x":1}}',
  `{"big":"${'m'.repeat(1100)}"}`,
  '1e400',
  DEEP_JSON,
]

describeEachStore('Workers KV hostile input', (store) => {
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  let account: Account
  let other: Account
  const state = { ns: '', canaryNs: '', otherNs: '' }
  let titles = 0
  const freshTitle = () => `hostile ${++titles}`
  const auth: Array<Record<string, string>> = []
  const oddAuth: Array<Record<string, string>> = []

  beforeAll(async () => {
    kvgate = openKvgate(store, LIMITS)
    server = listenTestKvgate(kvgate)
    account = await newAccount(kvgate)
    other = await newAccount(kvgate)
    state.ns = await createNamespace(kvgate, account, freshTitle())
    state.canaryNs = await createNamespace(kvgate, account, 'canary')
    state.otherNs = await createNamespace(kvgate, other, 'theirs')
    auth.push(
      account.auth,
      { 'x-auth-email': 'someone@example.com', 'x-auth-key': account.token },
      { authorization: `bearer  ${account.token} ` },
      // The SDK sends every value write as multipart: with this carrier the value route's own
      // multipart bodies are parsed as such (the JSON routes read JSON whatever the label).
      { ...account.auth, 'content-type': 'multipart/form-data; boundary=B' },
    )
    oddAuth.push(
      other.auth,
      { authorization: `Basic ${btoa(`${account.token}:`)}` },
      { authorization: `Bearer ${account.token}, Bearer ${account.token}` },
      { 'x-auth-email': 'no-at-sign', 'x-auth-key': account.token },
      { 'x-auth-key': account.token },
      { 'x-auth-email': 'someone@example.com' },
      { 'x-auth-email': 'someone@example.com', 'x-auth-key': ' ' },
      { 'x-auth-email': '@', 'x-auth-key': 'x'.repeat(5000) },
      { authorization: 'Bearer wrong', 'x-auth-email': 'a@b', 'x-auth-key': account.token },
    )
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  const accountSegment = (segment: () => string, random: Random) =>
    random.chance(0.85) ? account.id : random.chance(0.5) ? other.id : segment()
  const namespaceSegment = (segment: () => string, random: Random) =>
    random.chance(0.8) ? state.ns : random.pick([state.otherNs, '0'.repeat(32), segment()])
  const ns = (segment: () => string, random: Random) =>
    `/accounts/${accountSegment(segment, random)}/storage/kv/namespaces`
  const inNamespace = (segment: () => string, random: Random) =>
    `${ns(segment, random)}/${namespaceSegment(segment, random)}`
  const keyPath = (segment: () => string, random: Random) =>
    `${segment()}${random.chance(0.3) ? `/${segment()}` : ''}`

  const jsonArray = (random: Random, item: () => string) =>
    `[${Array.from({ length: random.int(4) }, item).join(',')}]`
  const titleBody = (random: Random) =>
    `{"title":${random.chance(0.6) ? JSON.stringify(freshTitle()) : random.pick([...HOSTILE_JSON, '"   "', `"${'t'.repeat(513)}"`])}${random.chance(0.3) ? `,"jurisdiction":${random.pick(['"eu"', '"fedramp"', '"us"', '""', 'null', '1'])}` : ''}}`
  const bulkItem = (random: Random) => {
    const fields = [`"key":${random.pick(BULK_KEYS)}`, `"value":${random.pick(BULK_VALUES)}`]
    if (random.chance(0.3)) fields.push(`"base64":${random.pick(['true', 'false', '"true"', '1', 'null'])}`)
    if (random.chance(0.3)) fields.push(`"expiration_ttl":${random.pick(EXPIRIES)}`)
    if (random.chance(0.3)) fields.push(`"expiration":${random.pick(EXPIRIES)}`)
    if (random.chance(0.3)) fields.push(`"metadata":${random.pick(METADATA)}`)
    // Dropping a field, or an item that is no object at all.
    if (random.chance(0.1)) fields.shift()
    return random.chance(0.1) ? random.pick(['null', '"k"', '[]', '1']) : `{${fields.join(',')}}`
  }

  const fixture: DialectFixture = {
    prefix: '/client/v4',
    auth,
    oddAuth,
    plain: ['k', 'a/b', 'caf%C3%A9', 'with%20space', 'q%3Fh%23'],
    routes: [
      {
        methods: ['GET'],
        path: (segment, random) =>
          random.pick([
            '/user/tokens/verify',
            `/accounts/${accountSegment(segment, random)}/tokens/verify`,
            '/accounts',
            '/memberships',
            '/user',
          ]),
        params: ['page', 'per_page'],
      },
      {
        methods: ['GET', 'POST'],
        path: (segment, random) => `${ns(segment, random)}${random.pick(['', '/'])}`,
        params: ['page', 'per_page', 'order', 'direction'],
        json: [{ title: '"t"', jurisdiction: '"eu"' }],
        body: titleBody,
      },
      {
        methods: ['GET', 'PUT', 'DELETE'],
        path: (segment, random) => `${inNamespace(segment, random)}${random.pick(['', '/'])}`,
        json: [{ title: '"t"' }],
        body: titleBody,
      },
      {
        methods: ['GET'],
        path: (segment, random) => `${inNamespace(segment, random)}/keys`,
        params: ['prefix', 'limit', 'cursor'],
      },
      {
        methods: ['GET', 'PUT', 'DELETE'],
        path: (segment, random) => `${inNamespace(segment, random)}/values/${keyPath(segment, random)}`,
        params: ['expiration', 'expiration_ttl'],
        bodies: ['value', '', new Uint8Array([0, 0xff, 0x80]), '[1,{"a":null}]', DEEP_JSON],
      },
      {
        // Multipart value writes, the SDK's only kind, weighed as a route of their own.
        methods: ['PUT'],
        path: (segment, random) => `${inNamespace(segment, random)}/values/${keyPath(segment, random)}`,
        params: ['expiration', 'expiration_ttl'],
        bodies: METADATA.map((metadata) =>
          multipart([
            ['name="value"', 'v'],
            ['name="metadata"', metadata],
          ]),
        ),
        body: (random) =>
          multipart([
            [
              random.pick(['name="value"', 'name="value"; filename="v.bin"', 'name="other"']),
              random.pick(['v', '', DEEP_JSON]),
            ],
            ...Array.from({ length: random.int(3) }, (): [string, string] => [
              random.pick([
                'name="metadata"',
                'name="metadata[a]"',
                'name="metadata[a][b]"',
                'name="metadata[a][]"',
                'name="metadata[__proto__]"',
                'name="metadata[constructor][prototype]"',
              ]),
              random.pick(METADATA),
            ]),
          ]),
      },
      {
        methods: ['GET'],
        path: (segment, random) => `${inNamespace(segment, random)}/metadata/${keyPath(segment, random)}`,
      },
      {
        methods: ['PUT', 'DELETE'],
        path: (segment, random) => `${inNamespace(segment, random)}/bulk`,
        json: [{ key: '"k"', value: '"v"', expiration_ttl: '120', metadata: '{"a":1}' }],
        body: (random) =>
          random.chance(0.6)
            ? jsonArray(random, () => bulkItem(random))
            : jsonArray(random, () => random.pick(BULK_KEYS)),
      },
      {
        methods: ['POST'],
        path: (segment, random) => `${inNamespace(segment, random)}/bulk/delete`,
        bodies: ['["k"]', '[]', '{"keys":["k"]}'],
        body: (random) => jsonArray(random, () => random.pick(BULK_KEYS)),
      },
      {
        methods: ['POST'],
        path: (segment, random) => `${inNamespace(segment, random)}/bulk/get`,
        json: [{ keys: '["k","a/b"]', type: '"json"', withMetadata: 'true' }],
        body: (random) =>
          `{"keys":${jsonArray(random, () => random.pick(BULK_KEYS))},"type":${random.pick(['"text"', '"json"', '"xml"', 'null', '1'])}}`,
      },
    ],
    async refresh() {
      // A case may delete the namespace; later cases need one to reach past the lookup.
      const response = await kvgate.fetch(`${account.ns}/${state.ns}`, { headers: account.auth })
      if (response.status === 404) state.ns = await createNamespace(kvgate, account, freshTitle())
    },
    shapeProblem: envelopeProblem,
  }

  const canaryPath = () => `${account.ns}/${state.canaryNs}/values/canary`
  const canaryKept = async () => {
    const response = await kvgate.fetch(canaryPath(), { headers: account.auth })
    return response.status === 200 && (await response.text()) === 'kept'
  }

  test('hostile requests get v4 error envelopes, never a 500, and lose nothing acknowledged', async () => {
    const unhandled = watchUnhandled()
    const put = await kvgate.fetch(canaryPath(), { method: 'PUT', headers: account.auth, body: 'kept' })
    expect(put.status).toBe(200)

    const result = await sweep(kvgate, server.url, fixture, {
      seed: 0x776b76,
      fetchCases: 3000,
      portCases: 200,
      big: {
        method: 'PUT',
        path: `${account.ns}/${state.ns}/values/big`,
        headers: account.auth,
        limit: MAX_VALUE_BYTES,
      },
    })
    if (process.env.HOSTILE_VERBOSE) console.log(result.statuses)
    expect(result.problems).toEqual([])
    expect(await canaryKept()).toBe(true)
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('hand-picked hostile requests answer the documented status and code', async () => {
    const unhandled = watchUnhandled()
    const nsId = await createNamespace(kvgate, account, freshTitle())
    const base = `${account.ns}/${nsId}`
    const nowSeconds = Math.floor(Date.now() / 1000)
    const json = { ...account.auth, 'content-type': 'application/json' }
    const form = { ...account.auth, 'content-type': 'multipart/form-data; boundary=B' }
    const tooLongKey = 'k'.repeat(513)
    const tooLongUtf8Key = '%C3%A9'.repeat(257)
    const bigMetadata = JSON.stringify({ big: 'm'.repeat(1100) })

    // [name, method, path, headers, body, expected status, expected code (errors only)]
    type Case = [string, string, string, Record<string, string>, BodyInit | undefined, number, number?]
    const cases: Case[] = [
      // Bulk bodies that are not what the route takes.
      ['bulk write: broken JSON', 'PUT', `${base}/bulk`, json, '{', 400, 10001],
      ['bulk write: empty body', 'PUT', `${base}/bulk`, json, '', 400, 10001],
      ['bulk write: an object', 'PUT', `${base}/bulk`, json, '{"key":"a","value":"v"}', 400, 10001],
      ['bulk write: deep nesting', 'PUT', `${base}/bulk`, json, '['.repeat(20_000), 400, 10001],
      ['bulk write: item without value', 'PUT', `${base}/bulk`, json, '[{"key":"a"}]', 400, 10001],
      ['bulk write: item not an object', 'PUT', `${base}/bulk`, json, '[1]', 400, 10001],
      [
        'bulk write: bad base64',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"a","value":"!!","base64":true}]',
        400,
        10001,
      ],
      ['bulk write: key "."', 'PUT', `${base}/bulk`, json, '[{"key":".","value":"v"}]', 400, 10001],
      [
        'bulk write: key over 512 bytes',
        'PUT',
        `${base}/bulk`,
        json,
        `[{"key":"${tooLongKey}","value":"v"}]`,
        400,
        10001,
      ],
      [
        'bulk write: ttl under 60',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"a","value":"v","expiration_ttl":59}]',
        400,
        10001,
      ],
      [
        'bulk write: ttl 1e400',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"a","value":"v","expiration_ttl":1e400}]',
        400,
        10001,
      ],
      [
        'bulk write: ttl past the year 9999',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"far","value":"v","expiration_ttl":9007199254740991}]',
        400,
        10001,
      ],
      [
        'bulk write: expiration past the year 9999',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"far","value":"v","expiration":10000000000000000}]',
        400,
        10001,
      ],
      [
        'bulk write: expiration text',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"a","value":"v","expiration":"soon"}]',
        400,
        10001,
      ],
      [
        'bulk write: metadata over 1024 bytes',
        'PUT',
        `${base}/bulk`,
        json,
        `[{"key":"a","value":"v","metadata":${bigMetadata}}]`,
        413,
        10001,
      ],
      [
        'bulk write: one bad item of two',
        'PUT',
        `${base}/bulk`,
        json,
        '[{"key":"partial","value":"v"},{"key":"","value":"v"}]',
        400,
        10001,
      ],
      ['bulk write: nothing', 'PUT', `${base}/bulk`, json, '[]', 200],
      ['bulk delete: an object', 'POST', `${base}/bulk/delete`, json, '{"keys":["a"]}', 400, 10001],
      ['bulk delete: a number among keys', 'POST', `${base}/bulk/delete`, json, '["a",1]', 400, 10001],
      ['bulk delete: empty key', 'POST', `${base}/bulk/delete`, json, '[""]', 400, 10001],
      ['bulk delete: key ".."', 'DELETE', `${base}/bulk`, json, '[".."]', 400, 10001],
      ['bulk delete: not JSON', 'DELETE', `${base}/bulk`, json, 'a,b', 400, 10001],
      ['bulk get: an array', 'POST', `${base}/bulk/get`, json, '["a"]', 400, 10001],
      ['bulk get: no keys', 'POST', `${base}/bulk/get`, json, '{"keys":[]}', 400, 10001],
      ['bulk get: keys a string', 'POST', `${base}/bulk/get`, json, '{"keys":"a"}', 400, 10001],
      [
        'bulk get: 101 keys',
        'POST',
        `${base}/bulk/get`,
        json,
        JSON.stringify({ keys: Array.from({ length: 101 }, (_, i) => `k${i}`) }),
        400,
        10001,
      ],
      ['bulk get: type xml', 'POST', `${base}/bulk/get`, json, '{"keys":["a"],"type":"xml"}', 400, 10001],
      [
        'bulk get: withMetadata text',
        'POST',
        `${base}/bulk/get`,
        json,
        '{"keys":["a"],"withMetadata":"yes"}',
        400,
        10001,
      ],
      [
        'bulk get: key over 512 bytes',
        'POST',
        `${base}/bulk/get`,
        json,
        `{"keys":["${tooLongKey}"]}`,
        400,
        10001,
      ],
      ['bulk get: __proto__', 'POST', `${base}/bulk/get`, json, '{"keys":["__proto__","constructor"]}', 200],
      // JSON that parses but is nested too deeply for JSON.stringify to write back.
      ['a value nested 100,000 deep', 'PUT', `${base}/values/deep`, account.auth, DEEP_JSON, 200],
      ['bulk get: it as text', 'POST', `${base}/bulk/get`, json, '{"keys":["deep"]}', 200],
      [
        'bulk get: it as json',
        'POST',
        `${base}/bulk/get`,
        json,
        '{"keys":["deep"],"type":"json"}',
        400,
        10001,
      ],
      [
        'bulk write: metadata nested 100,000 deep',
        'PUT',
        `${base}/bulk`,
        json,
        `[{"key":"a","value":"v","metadata":${DEEP_JSON}}]`,
        413,
        10001,
      ],
      // The all-or-nothing write above left nothing behind.
      ['bulk write wrote nothing', 'GET', `${base}/values/partial`, account.auth, undefined, 404, 10009],

      // Keys over 512 bytes in the path are 414 on every value route; 512 bytes of UTF-8 are fine.
      ['put key of 513 bytes', 'PUT', `${base}/values/${tooLongKey}`, account.auth, 'v', 414, 10001],
      ['get key of 513 bytes', 'GET', `${base}/values/${tooLongKey}`, account.auth, undefined, 414, 10001],
      [
        'delete key of 513 bytes',
        'DELETE',
        `${base}/values/${tooLongKey}`,
        account.auth,
        undefined,
        414,
        10001,
      ],
      [
        'metadata of key of 513 bytes',
        'GET',
        `${base}/metadata/${tooLongKey}`,
        account.auth,
        undefined,
        414,
        10001,
      ],
      [
        'put key of 514 UTF-8 bytes',
        'PUT',
        `${base}/values/${tooLongUtf8Key}`,
        account.auth,
        'v',
        414,
        10001,
      ],
      ['put key of 4000 bytes', 'PUT', `${base}/values/${'k'.repeat(4000)}`, account.auth, 'v', 414, 10001],
      ['put key of 512 UTF-8 bytes', 'PUT', `${base}/values/${'%C3%A9'.repeat(256)}`, account.auth, 'v', 200],
      ['put empty key', 'PUT', `${base}/values/`, account.auth, 'v', 400, 10001],

      // Expiry that is not an integer, too soon, or past what the stores can keep (the year 9999).
      ...(
        [
          '0',
          '-1',
          '59',
          '1.5',
          'abc',
          '1e3',
          '0x10',
          '99999999999999999999',
          '%FF',
          '9007199254740991',
          '253402300799',
        ] as const
      ).map(
        (ttl): Case => [
          `expiration_ttl=${ttl}`,
          'PUT',
          `${base}/values/ttl?expiration_ttl=${ttl}`,
          account.auth,
          'v',
          400,
          10001,
        ],
      ),
      ...(
        [
          'abc',
          '1e400',
          '-1',
          String(nowSeconds),
          String(nowSeconds + 59),
          '9007199254740991',
          '9999999999999',
          '253402300800',
        ] as const
      ).map(
        (at): Case => [
          `expiration=${at}`,
          'PUT',
          `${base}/values/at?expiration=${at}`,
          account.auth,
          'v',
          400,
          10001,
        ],
      ),
      ['expiration_ttl=60', 'PUT', `${base}/values/ttl?expiration_ttl=60`, account.auth, 'v', 200],
      ['empty expiration_ttl is absent', 'PUT', `${base}/values/ttl?expiration_ttl=`, account.auth, 'v', 200],
      [
        'expiration_ttl wins over a bad expiration',
        'PUT',
        `${base}/values/ttl?expiration=abc&expiration_ttl=120`,
        account.auth,
        'v',
        200,
      ],
      [
        'expiration in an hour',
        'PUT',
        `${base}/values/at?expiration=${nowSeconds + 3600}`,
        account.auth,
        'v',
        200,
      ],
      [
        'expiration at the end of 9999',
        'PUT',
        `${base}/values/far?expiration=253402300799`,
        account.auth,
        'v',
        200,
      ],
      ['value expiring at the end of 9999', 'GET', `${base}/values/far`, account.auth, undefined, 200],
      ['keys list with it', 'GET', `${base}/keys`, account.auth, undefined, 200],

      // Multipart writes with metadata.
      [
        'multipart: value and JSON metadata',
        'PUT',
        `${base}/values/mp`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata"', '{"a":1}'],
        ]),
        200,
      ],
      [
        'multipart: metadata not JSON',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata"', '{'],
        ]),
        400,
        10001,
      ],
      [
        'multipart: metadata only',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([['name="metadata"', '{}']]),
        400,
        10001,
      ],
      [
        'multipart: conflicting bracket parts',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata[a]"', 'x'],
          ['name="metadata[a][b]"', 'y'],
        ]),
        400,
        10001,
      ],
      [
        'multipart: __proto__ bracket part',
        'PUT',
        `${base}/values/mp-proto`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata[__proto__][x]"', 'y'],
        ]),
        200,
      ],
      [
        'multipart: metadata over 1024 bytes',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata"', bigMetadata],
        ]),
        413,
        10001,
      ],
      [
        'multipart: metadata nested 100,000 deep',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata"', DEEP_JSON],
        ]),
        413,
        10001,
      ],
      [
        'multipart: metadata 1e400, which serializes as null',
        'PUT',
        `${base}/values/mp-infinite`,
        form,
        multipart([
          ['name="value"', 'v'],
          ['name="metadata"', '1e400'],
        ]),
        200,
      ],
      [
        'multipart: truncated',
        'PUT',
        `${base}/values/mp-bad`,
        form,
        multipart([['name="value"', 'v']], true),
        400,
        10001,
      ],
      [
        'multipart: no boundary',
        'PUT',
        `${base}/values/mp-bad`,
        { ...account.auth, 'content-type': 'multipart/form-data' },
        multipart([['name="value"', 'v']]),
        400,
        10001,
      ],
      ['multipart metadata read back', 'GET', `${base}/metadata/mp`, account.auth, undefined, 200],
      ['no multipart value was written', 'GET', `${base}/values/mp-bad`, account.auth, undefined, 404, 10009],

      // Keys list: cursors and limits.
      ...(['!!!', 'a', '%FF', 'a.b', 'a=', '%2B%2F'] as const).map(
        (cursor): Case => [
          `cursor=${cursor}`,
          'GET',
          `${base}/keys?cursor=${cursor}`,
          account.auth,
          undefined,
          400,
          10001,
        ],
      ),
      ...(['AAAA', '_w', 'x'.repeat(4000)] as const).map(
        (cursor): Case => [
          `cursor=${cursor.slice(0, 10)}`,
          'GET',
          `${base}/keys?cursor=${cursor}`,
          account.auth,
          undefined,
          200,
        ],
      ),
      ...(['0', '-1', '1001', '1e3', 'abc', '1.5'] as const).map(
        (limit): Case => [
          `limit=${limit}`,
          'GET',
          `${base}/keys?limit=${limit}`,
          account.auth,
          undefined,
          400,
          10001,
        ],
      ),
      ['prefix of invalid UTF-8', 'GET', `${base}/keys?prefix=%FF&limit=1000`, account.auth, undefined, 200],

      // Account ids and namespaces that are not the caller's.
      ["another account's id", 'GET', `${other.ns}`, account.auth, undefined, 403, 10000],
      [
        "another account's namespace",
        'GET',
        `${account.ns}/${state.otherNs}/keys`,
        account.auth,
        undefined,
        404,
        10013,
      ],
      [
        "another account's namespace by its own id",
        'GET',
        `${other.ns}/${state.otherNs}/keys`,
        account.auth,
        undefined,
        403,
        10000,
      ],
      [
        'an unknown account id',
        'GET',
        '/client/v4/accounts/nobody/storage/kv/namespaces',
        account.auth,
        undefined,
        403,
        10000,
      ],
      [
        'an account id of bad bytes',
        'GET',
        '/client/v4/accounts/%FF%00/storage/kv/namespaces',
        account.auth,
        undefined,
        403,
        10000,
      ],
      [
        'an unknown namespace',
        'PUT',
        `${account.ns}/${'0'.repeat(32)}/values/k`,
        account.auth,
        'v',
        404,
        10013,
      ],
      ["another account's token on the canary", 'DELETE', canaryPath(), other.auth, undefined, 403, 10000],
      [
        'tokens/verify of another account',
        'GET',
        `/client/v4/accounts/${other.id}/tokens/verify`,
        account.auth,
        undefined,
        403,
        10000,
      ],

      // Authorization headers that carry no usable token.
      ...[
        'Bearer',
        'Bearer ',
        'Basic x',
        'Token x',
        `Bearer ${account.token} extra`,
        `Basic ${btoa(`${account.token}:`)}`,
      ].map(
        (authorization): Case => [
          `Authorization: ${authorization.slice(0, 20)}`,
          'GET',
          account.ns,
          { authorization },
          undefined,
          401,
          10000,
        ],
      ),
      [
        'Authorization: lower-case bearer',
        'GET',
        account.ns,
        { authorization: `bearer ${account.token}` },
        undefined,
        200,
      ],
      [
        'X-Auth-Email without @',
        'GET',
        account.ns,
        { 'x-auth-email': 'someone', 'x-auth-key': account.token },
        undefined,
        400,
        6003,
      ],
      ['X-Auth-Key alone', 'GET', account.ns, { 'x-auth-key': account.token }, undefined, 400, 6003],
      [
        'empty X-Auth-Key',
        'GET',
        account.ns,
        { 'x-auth-email': 'a@b', 'x-auth-key': '' },
        undefined,
        400,
        6003,
      ],
      [
        'a bad bearer beside a good X-Auth pair',
        'GET',
        account.ns,
        { authorization: 'Bearer x', 'x-auth-email': 'a@b', 'x-auth-key': account.token },
        undefined,
        401,
        10000,
      ],
      ['tokens/verify without a token', 'GET', '/client/v4/user/tokens/verify', {}, undefined, 401, 1000],

      // Namespaces.
      ['create: broken JSON', 'POST', account.ns, json, '{', 400, 10001],
      ['create: title a number', 'POST', account.ns, json, '{"title":1}', 400, 10001],
      ['create: blank title', 'POST', account.ns, json, '{"title":"  "}', 400, 10001],
      [
        'create: title over 512 bytes',
        'POST',
        account.ns,
        json,
        JSON.stringify({ title: 't'.repeat(513) }),
        400,
        10001,
      ],
      [
        'create: unknown jurisdiction',
        'POST',
        account.ns,
        json,
        '{"title":"j","jurisdiction":"us"}',
        400,
        10001,
      ],
      ['create: duplicate title', 'POST', account.ns, json, '{"title":"canary"}', 400, 10014],
      ['rename: to a taken title', 'PUT', base, json, '{"title":"canary"}', 400, 10014],
      ['rename: __proto__ body', 'PUT', base, json, '{"__proto__":{"title":"x"}}', 400, 10001],
      ...(['per_page=0', 'per_page=1001', 'page=0', 'page=abc', 'order=name', 'direction=up'] as const).map(
        (query): Case => [
          `list ?${query}`,
          'GET',
          `${account.ns}?${query}`,
          account.auth,
          undefined,
          400,
          10001,
        ],
      ),
      ['list a page past the end', 'GET', `${account.ns}?page=99999`, account.auth, undefined, 200],
      ['a wrong method', 'PATCH', base, account.auth, undefined, 405, 7001],
      ['an unknown route', 'GET', `${base}/unknown`, account.auth, undefined, 404, 7003],
    ]

    const mismatches: string[] = []
    for (const [name, method, path, headers, body, status, code] of cases) {
      const response = await kvgate.fetch(path, { method, headers, body })
      const bytes = new Uint8Array(await response.arrayBuffer())
      const answer = jsonOf(bytes)
      const got = { status: response.status, code: answer?.errors?.[0]?.code }
      if (got.status !== status || (code !== undefined && got.code !== code)) {
        mismatches.push(
          `${name}: ${got.status} ${got.code ?? ''} ${new TextDecoder().decode(bytes).slice(0, 200)}`,
        )
        continue
      }
      if (status >= 400) {
        const problem = envelopeProblem(response.status, response.headers, bytes)
        if (problem) mismatches.push(`${name}: ${problem}`)
      } else if (!path.includes('/values/') && answer?.success !== true) {
        mismatches.push(`${name}: not a success envelope`)
      }
    }
    expect(mismatches).toEqual([])

    const metadata = await kvgate.fetch(`${base}/metadata/mp`, { headers: account.auth })
    expect((await metadata.json()).result).toEqual({ a: 1 })
    // Metadata that serializes as null is none: no "metadata" field in the list.
    const listed = await kvgate.fetch(`${base}/keys?prefix=mp-infinite`, { headers: account.auth })
    expect((await listed.json()).result).toEqual([{ name: 'mp-infinite' }])
    expect((await kvgate.fetch('/healthz')).status).toBe(200)
    expect(await canaryKept()).toBe(true)
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('odd keys written with 200 read back byte for byte', async () => {
    const nsId = await createNamespace(kvgate, account, freshTitle())
    const keys = [...ODD_KEYS, 'a/b/', '%3F%23%20+', '%C3%A9'.repeat(256)]
    await expectOddKeysReadBack(kvgate, (key) => `${account.ns}/${nsId}/values/${key}`, account.auth, keys)
  })
})
