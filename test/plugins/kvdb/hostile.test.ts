// Hostile input on every KVdb route: seeded random requests through fetch() and over a real port,
// plus hand-picked ones. Every answer is under 500 (scripting's documented 503 aside), errors are
// KVdb's short text/plain messages, /healthz keeps answering and nothing acknowledged is lost.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { kvdbDialect } from '../../../plugins/kvdb-compat/index.ts'
import {
  type DialectFixture,
  expectOddKeysReadBack,
  HOSTILE_NUMBERS,
  type Random,
  sweep,
  watchUnhandled,
} from '../../support/hostile.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'

const SECRET = 'hostile-secret'

describeEachStore('KVdb hostile input', (store) => {
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  const state = { bucket: '', canary: '' }
  const auth: Array<Record<string, string>> = []

  const createBucket = async (fields: string) => {
    const response = await kvgate.fetch('/kvdb', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields,
    })
    expect(response.status).toBe(200)
    return response.text()
  }

  const newBucket = async () => {
    state.bucket = await createBucket(`secret_key=${SECRET}&signing_key=sign&default_ttl=0`)
  }

  beforeAll(async () => {
    kvgate = testKvgate([kvdbDialect], { ...store.env, KVGATE_KVDB_RATE_LIMIT: '0' })
    server = listenTestKvgate(kvgate)
    await newBucket()
    state.canary = await createBucket(`secret_key=${SECRET}&default_ttl=0`)
    auth.push({ authorization: `Bearer ${SECRET}` }, { authorization: `Basic ${btoa(`${SECRET}:`)}` })
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  const bucketSegment = (segment: () => string, random: Random) =>
    random.chance(0.85) ? state.bucket : segment()
  const form = (random: Random, names: string[]) =>
    names
      .filter(() => random.chance(0.6))
      .map(
        (name) =>
          `${name}=${random.pick([...HOSTILE_NUMBERS, '%ZZ', '%FF', 'x'.repeat(300), 'read,foo', ''])}`,
      )
      .join('&')

  const fixture: DialectFixture = {
    prefix: '/kvdb',
    auth,
    plain: ['k', 'counter', 'a/b', 'caf%C3%A9', 'x'],
    routes: [
      {
        methods: ['POST'],
        path: (_segment, random) => random.pick(['', '/']),
        body: (random) =>
          form(random, ['email', 'secret_key', 'read_key', 'write_key', 'signing_key', 'default_ttl']),
      },
      {
        methods: ['GET', 'HEAD', 'POST', 'PATCH'],
        path: (segment, random) => `/${bucketSegment(segment, random)}${random.pick(['', '/'])}`,
        params: ['limit', 'skip', 'prefix', 'reverse', 'values', 'format', 'key', 'access_token'],
        json: [{ txn: '[{"set":"k","value":1,"ttl":60},{"delete":"d"}]' }],
        body: (random) =>
          random.chance(0.5)
            ? form(random, ['read_key', 'write_key', 'signing_key', 'default_ttl'])
            : `{"txn":[${Array.from({ length: 1 + random.int(3) }, () =>
                random.pick([
                  `{"set":${random.pick(['"k"', '""', '1', 'null', '"tokens"', `"${'x'.repeat(200)}"`, '["a"]'])},"value":${random.pick(['1', '1e400', '-0', '"v"', '{"a":[1]}', 'null', '[]', '12345678901234567890'])}}`,
                  `{"set":"k","value":1,"ttl":${random.pick(['-1', '1e400', '"60"', '1.5', '99999999999999999999', 'null'])}}`,
                  `{"delete":${random.pick(['"k"', '1', '{}', '""'])}}`,
                  '{"set":"k"}',
                  '{"set":"k","delete":"k","value":1}',
                  'null',
                  '[]',
                  '"set"',
                ]),
              ).join(',')}]}`,
      },
      {
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        path: (segment, random) =>
          `/${bucketSegment(segment, random)}/${segment()}${random.chance(0.3) ? `/${segment()}` : ''}`,
        params: ['ttl', 'key', 'access_token'],
        bodies: [
          '+1',
          '-1',
          '1',
          '+1.5',
          '1e400',
          '-0',
          'NaN',
          '+',
          '',
          '99999999999999999999',
          '+0x10',
          'abc',
        ],
      },
      {
        methods: ['POST'],
        path: (segment, random) => `/${bucketSegment(segment, random)}/tokens${random.pick(['', '/'])}`,
        body: (random) => form(random, ['prefix', 'permissions', 'ttl']),
      },
      {
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        path: (segment, random) =>
          `/${bucketSegment(segment, random)}/scripts/${random.chance(0.2) ? '' : segment()}`,
        params: ['format'],
        bodies: ['return 1', 'syntax error (', ''],
      },
    ],
    async refresh() {
      // A case may delete the bucket or change its keys; later cases need a bucket they can open.
      const response = await kvgate.fetch(`/kvdb/${state.bucket}/`, { headers: auth[0] })
      if (response.status !== 200) await newBucket()
    },
    shapeProblem(_status, headers, body) {
      if (!headers.get('content-type')?.startsWith('text/plain'))
        return `content-type ${headers.get('content-type')}`
      if (body.length === 0) return 'empty error message'
      return null
    },
    // Uploading a script answers 503 until this server runs scripts (plugins/kvdb-compat/routes/scripts.ts).
    allows5xx: (request, status) =>
      status === 503 && request.method === 'PUT' && request.path.includes('/scripts/'),
  }

  test('hostile requests get KVdb errors, never a 500, and lose nothing acknowledged', async () => {
    const unhandled = watchUnhandled()
    const canaryKey = `/kvdb/${state.canary}/canary`
    const put = await kvgate.fetch(canaryKey, { method: 'PUT', headers: auth[0], body: 'kept' })
    expect(put.status).toBe(200)

    const result = await sweep(kvgate, server.url, fixture, {
      seed: 0x6b766462,
      fetchCases: 400,
      portCases: 60,
      big: { method: 'PUT', path: `/kvdb/${state.bucket}/big`, headers: auth[0]!, limit: 16_384 },
    })
    if (process.env.HOSTILE_VERBOSE) console.log(result.statuses)
    expect(result.problems).toEqual([])
    expect(await (await kvgate.fetch(canaryKey, { headers: auth[0] })).text()).toBe('kept')
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('a key and a value that start with U+FEFF keep it in listings and reads', async () => {
    const path = `/kvdb/${state.bucket}/%EF%BB%BFbom`
    const written = await kvgate.fetch(path, { method: 'PUT', headers: auth[0], body: '\ufefftext' })
    expect(written.status).toBe(200)
    // Response.text() itself drops a leading U+FEFF, so the bytes are compared.
    const read = await kvgate.fetch(path, { headers: auth[0] })
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(new TextEncoder().encode('\ufefftext'))
    const listed = await kvgate.fetch(`/kvdb/${state.bucket}/?format=json&values=true&prefix=%EF%BB%BF`, {
      headers: auth[0],
    })
    expect(await listed.json()).toEqual([['\ufeffbom', '\ufefftext']])
  })

  test('odd keys written with 200 read back byte for byte', async () => {
    await expectOddKeysReadBack(kvgate, (key) => `/kvdb/${state.bucket}/${key}`, auth[0]!)
  })
})
