// Hostile input on every admin route (accounts and data): seeded random requests through fetch() and over a real
// port, plus raw framing cases. Every answer is under 500, errors are {"error": message} JSON, a
// wrong token never gets past 401, /healthz keeps answering and nothing acknowledged is lost.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { dialects } from '../../plugins/index.ts'
import {
  adminErrorShapeProblem,
  type DialectFixture,
  type Random,
  sweep,
  watchUnhandled,
} from '../support/hostile.ts'
import { ADMIN_TOKEN, listenTestKvgate, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { describeEachStore } from '../support/stores.ts'

const MAX_VALUE_BYTES = 65_536
/** The entry route's body limit for that value limit (core/admin/routes.ts). */
const ENTRY_BODY_LIMIT = Math.ceil((MAX_VALUE_BYTES * 4) / 3) + 2 * 65_536 + 4096
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

describeEachStore('admin data API hostile input', (store) => {
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  const state = { ns: '', canary: '' }
  const encoder = new TextEncoder()

  const newNamespace = async () => (await kvgate.engine.namespaces.create({ dialect: 'kvdb' })).id

  beforeAll(async () => {
    kvgate = testKvgate(dialects, { ...store.env, KVGATE_MAX_VALUE_BYTES: String(MAX_VALUE_BYTES) })
    server = listenTestKvgate(kvgate)
    state.ns = await newNamespace()
    state.canary = await newNamespace()
    await kvgate.engine.put(state.canary, encoder.encode('canary'), { bytes: encoder.encode('kept') })
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
  })

  const nsSegment = (segment: () => string, random: Random) => (random.chance(0.85) ? state.ns : segment())
  const entryBody = (random: Random) =>
    JSON.stringify({
      value: random.pick(['v', '{"a":1}', '%%%', 'AAEC', '']),
      encoding: random.pick(['text', 'json', 'base64', 'hex', 1, null]),
      ...(random.chance(0.5) ? { ttl: random.pick([1, 0, -1, 1.5, 1e12, '60', null]) } : {}),
      ...(random.chance(0.3) ? { expires_at: random.pick(['2099-01-01T00:00:00Z', 'soon', 0, 1e20]) } : {}),
      ...(random.chance(0.3) ? { metadata: random.pick([null, { a: 1 }, 'x', [1]]) } : {}),
      ...(random.chance(0.2) ? { kind: random.pick(['int', 'float', 'json', 'nope']) } : {}),
    })

  const fixture: DialectFixture = {
    prefix: '/admin',
    auth: [admin],
    plain: ['k', 'a%2Fb', '%FF', 'caf%C3%A9', 'x'],
    routes: [
      { methods: ['GET'], path: () => '/namespaces', params: ['dialect', 'account', 'cursor', 'limit'] },
      { methods: ['GET', 'DELETE'], path: (segment, random) => `/namespaces/${nsSegment(segment, random)}` },
      {
        methods: ['GET'],
        path: (segment, random) => `/namespaces/${nsSegment(segment, random)}/keys`,
        params: ['prefix', 'cursor', 'limit'],
      },
      {
        methods: ['GET', 'PUT', 'DELETE'],
        path: (segment, random) =>
          `/namespaces/${nsSegment(segment, random)}/entries/${segment()}${random.chance(0.3) ? `/${segment()}` : ''}`,
        json: [{ value: '"v"', encoding: '"text"', ttl: '60', metadata: '{"a":1}' }],
        body: entryBody,
      },
      { methods: ['GET'], path: () => '/stats' },
      { methods: ['GET', 'POST'], path: () => '/accounts', json: [{ dialect: '"lightkv"', name: '"shop"' }] },
      {
        methods: ['POST'],
        path: (segment) => `/accounts/${segment()}/rotate`,
        json: [{ which: '"read"' }],
      },
      { methods: ['DELETE'], path: (segment) => `/accounts/${segment()}` },
    ],
    async refresh() {
      // A case may delete the namespace; later cases need one to reach past the lookup.
      if (!(await kvgate.engine.namespaces.get(state.ns))) state.ns = await newNamespace()
    },
    shapeProblem: adminErrorShapeProblem,
  }

  test('hostile requests get {"error"} answers, never a 500, and lose nothing acknowledged', async () => {
    const unhandled = watchUnhandled()
    const result = await sweep(kvgate, server.url, fixture, {
      seed: 0xad317,
      fetchCases: 400,
      portCases: 60,
      big: {
        method: 'PUT',
        path: `/admin/namespaces/${state.ns}/entries/big`,
        headers: admin,
        limit: ENTRY_BODY_LIMIT,
      },
    })
    if (process.env.HOSTILE_VERBOSE) console.log(result.statuses, result.problems)
    expect(result.problems).toEqual([])
    // The cases reach past authentication and the lookups, not only 401s and 404s.
    expect(result.statuses[200]).toBeGreaterThan(20)
    expect(result.statuses[400]).toBeGreaterThan(20)
    const canary = await kvgate.engine.get(state.canary, encoder.encode('canary'))
    expect(new TextDecoder().decode(canary!.value)).toBe('kept')
    await Bun.sleep(10)
    expect(unhandled.stop()).toEqual([])
  }, 60_000)
})
