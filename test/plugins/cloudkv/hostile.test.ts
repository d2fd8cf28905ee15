// Hostile input on every CloudKV route: seeded random requests through fetch() and over a real
// port, plus hand-picked ones. Every answer is under 500, errors are JSON {"message"}, /healthz
// keeps answering and nothing acknowledged is lost. It runs under the two path mounts: the sweep's
// raw requests carry Host: localhost, so a host route would only meet the core's 404.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import {
  type DialectFixture,
  expectOddKeysReadBack,
  jsonOf,
  type Random,
  sweep,
  watchUnhandled,
} from '../../support/hostile.ts'
import type { TestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { CLOUDKV_MOUNTS, cloudkvHarness, type ServedCloudkv } from './support.ts'

const PATH_MOUNTS = CLOUDKV_MOUNTS.filter((mount) => mount.host === 'localhost')

describeEachStoreAndMount('CloudKV hostile input', PATH_MOUNTS, (store, mount) => {
  const p = mount.prefix
  let kvgate: TestKvgate
  let server: ServedCloudkv
  const state = { bucket: '', canary: '', key: '' }
  const auth: Array<Record<string, string>> = []
  const oddAuth: Array<Record<string, string>> = []

  const createBucket = async (access: string) => {
    const response = await kvgate.fetch(`${p}/buckets`, {
      method: 'POST',
      headers: { 'api-key': state.key, 'content-type': 'application/x-www-form-urlencoded' },
      body: `access=${access}`,
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as { bucket_id: string }).bucket_id
  }

  beforeAll(async () => {
    const h = cloudkvHarness(store, { mount })
    kvgate = h.kvgate
    server = h.listen()
    state.key = (await kvgate.createAccount('cloudkv')).credentials.api_key!
    const other = (await kvgate.createAccount('cloudkv')).credentials.api_key!
    state.bucket = await createBucket('protected')
    state.canary = await createBucket('protected')
    auth.push({ 'api-key': state.key }, { 'api-key': ` ${state.key} ` })
    oddAuth.push(
      { 'api-key': other },
      { 'api-key': '' },
      { 'api-key': 'x'.repeat(5000) },
      { 'api-key': `${state.key}, ${state.key}` },
      { 'api-key': 'Bearer x' },
    )
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  const bucketSegment = (segment: () => string, random: Random) =>
    random.chance(0.85) ? state.bucket : segment()
  const form = (random: Random) =>
    ['access', 'comment']
      .filter(() => random.chance(0.7))
      .map(
        (name) =>
          `${name}=${random.pick(['public', 'read-public', 'protected', 'PUBLIC', '%ZZ', '%FF', '', '[]', 'x'.repeat(300)])}`,
      )
      .join('&')

  const fixture: DialectFixture = {
    prefix: p,
    auth,
    oddAuth,
    plain: ['k', 'folder/jsons/file.json', 'caf%C3%A9', 'x'],
    routes: [
      { methods: ['GET'], path: () => '/ping' },
      {
        methods: ['GET', 'POST'],
        path: () => '/buckets',
        params: ['access', 'comment'],
        body: form,
      },
      {
        methods: ['PATCH', 'DELETE'],
        path: (segment, random) => `/buckets/${bucketSegment(segment, random)}`,
        params: ['confirm', 'comment'],
        body: form,
      },
      {
        methods: ['GET'],
        path: (segment, random) => `/kv/${bucketSegment(segment, random)}${random.pick(['', '/'])}`,
        params: ['prefix'],
      },
      {
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
        path: (segment, random) =>
          `/kv/${bucketSegment(segment, random)}/${segment()}${random.chance(0.3) ? `/${segment()}` : ''}`,
        params: ['ttl'],
        bodies: ['value', '', '{"a":1}'],
      },
    ],
    async refresh() {
      // A case may delete the bucket; later cases need one to reach past the lookup.
      const response = await kvgate.fetch(`${p}/buckets`, { headers: auth[0] })
      const { buckets } = (await response.json()) as { buckets: Array<{ id: string }> }
      if (!buckets.some((bucket) => bucket.id === state.bucket))
        state.bucket = await createBucket('protected')
    },
    shapeProblem(_status, headers, body) {
      if (headers.get('content-type') !== 'application/json; charset=utf-8')
        return `content-type ${headers.get('content-type')}`
      const json = jsonOf(body)
      if (typeof json?.message !== 'string' || Object.keys(json).length !== 1) return 'not {"message"}'
      return null
    },
  }

  test('hostile requests get CloudKV errors, never a 500, and lose nothing acknowledged', async () => {
    const unhandled = watchUnhandled()
    const canaryKey = `${p}/kv/${state.canary}/canary`
    const put = await kvgate.fetch(canaryKey, { method: 'PUT', headers: auth[0], body: 'kept' })
    expect(put.status).toBe(200)

    const result = await sweep(kvgate, server.url, fixture, {
      seed: 0x636b76,
      fetchCases: 400,
      portCases: 60,
      big: { method: 'PUT', path: `${p}/kv/${state.bucket}/big`, headers: auth[0]!, limit: 1_048_576 },
    })
    if (process.env.HOSTILE_VERBOSE) console.log(result.statuses)
    expect(result.problems).toEqual([])
    expect(await (await kvgate.fetch(canaryKey, { headers: auth[0] })).text()).toBe('kept')
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 30_000)

  test('odd keys written with 200 read back byte for byte', async () => {
    await expectOddKeysReadBack(kvgate, (key) => `${p}/kv/${state.bucket}/${key}`, auth[0]!)
  })
})
