// The engine's own rules, which hold whatever the backend: hard maxima at their exact boundary, the
// message of every refusal (dialects pass most of them on to clients), and the background sweeper.

import { afterAll, describe, expect, test } from 'bun:test'
import type { Backend } from '../../core/engine/backend.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine, type EngineOptions, LATEST_EXPIRY_MS } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { ManualClock } from '../support/manual-clock.ts'

const engines: Engine[] = []
afterAll(async () => {
  for (const engine of engines) await engine.close()
})

function open(options: EngineOptions = {}, backend: Backend = memory()): Engine {
  const engine = new Engine(backend, { sweepIntervalMs: 0, clock: new ManualClock(), ...options })
  engines.push(engine)
  return engine
}

const memory = () => openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' })
const text = (value: string) => ({ bytes: utf8(value) })
const bytes = (length: number) => new Uint8Array(length).fill(0x61)

async function refusal(promise: Promise<unknown>): Promise<[string, string]> {
  try {
    await promise
  } catch (error) {
    const { code, message } = error as { code: string; message: string }
    return [code, message]
  }
  throw new Error('expected the engine to refuse')
}

describe('hard maxima hold at their exact value', () => {
  const limits = {
    maxKeyBytes: 8,
    maxValueBytes: 16,
    maxMetadataBytes: 8,
    maxBatchOps: 3,
    maxListItems: 3,
    maxScanLimit: 5,
  }

  test('keys, values and metadata: the maximum is allowed, one more byte is too large', async () => {
    const engine = open({ limits })
    await engine.put('ns', bytes(8), { bytes: bytes(16), metadata: 'x'.repeat(8) })
    expect((await engine.get('ns', bytes(8)))!.value.length).toBe(16)
    expect(await refusal(engine.put('ns', bytes(9), text('v')))).toEqual([
      'too_large',
      'key is longer than 8 bytes',
    ])
    expect(await refusal(engine.get('ns', bytes(9)))).toEqual(['too_large', 'key is longer than 8 bytes'])
    expect(await refusal(engine.put('ns', utf8('k'), { bytes: bytes(17) }))).toEqual([
      'too_large',
      'value is longer than 16 bytes',
    ])
    expect(await refusal(engine.put('ns', utf8('k'), { bytes: bytes(1), metadata: 'x'.repeat(9) }))).toEqual([
      'too_large',
      'metadata is longer than 8 bytes',
    ])
    expect(await refusal(engine.put('ns', new Uint8Array(0), text('v')))).toEqual([
      'invalid',
      'key must not be empty',
    ])
  })

  test('batches, lists and scans: the maximum is allowed, one more is refused', async () => {
    const engine = open({ limits })
    const ops = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: utf8(`k${i}`), value: text('v') }))
    expect((await engine.batch('ns', ops(3))).versions).toHaveLength(3)
    expect(await refusal(engine.batch('ns', ops(4)))).toEqual([
      'too_large',
      'a batch holds at most 3 operations',
    ])
    expect(await engine.listWrite('ns', utf8('l'), ['1', '2', '3'])).toEqual(['1', '2', '3'])
    expect(await refusal(engine.listWrite('ns', utf8('l'), ['1', '2', '3', '4']))).toEqual([
      'invalid',
      'a list holds at most 3 items',
    ])
    expect(await refusal(engine.listAdd('ns', utf8('l'), ['4']))).toEqual([
      'invalid',
      'a list holds at most 3 items',
    ])
    expect(await refusal(engine.listAdd('ns', utf8('m'), ['1', '2'], { maxItems: 1 }))).toEqual([
      'invalid',
      'a list holds at most 1 items',
    ])
    expect((await engine.scan('ns', { limit: 5 })).entries).toHaveLength(3)
    expect((await engine.scan('ns', { limit: 0 })).entries).toEqual([])
    expect((await engine.scan('ns', { limit: 1, offset: 0 })).entries).toHaveLength(1)
    for (const query of [{ limit: 6 }, { limit: -1 }, { limit: 1.5 }]) {
      expect(await refusal(engine.scan('ns', query))).toEqual([
        'invalid',
        'limit must be an integer from 0 to 5',
      ])
    }
    for (const offset of [-1, 0.5]) {
      expect(await refusal(engine.scan('ns', { limit: 1, offset }))).toEqual([
        'invalid',
        'offset must be a non-negative integer',
      ])
    }
  })
})

describe('refusals say why', () => {
  test('conditions, expiries and deltas that cannot be', async () => {
    const clock = new ManualClock()
    const engine = open({ clock })
    const both = 'ifAbsent and ifVersion cannot be combined'
    expect(await refusal(engine.put('ns', utf8('k'), text('v'), { ifAbsent: true, ifVersion: 1 }))).toEqual([
      'invalid',
      both,
    ])
    const batchPut = { type: 'put' as const, key: utf8('k'), value: text('v'), ifAbsent: true, ifVersion: 1 }
    expect(await refusal(engine.batch('ns', [batchPut]))).toEqual(['invalid', both])
    expect(
      await refusal(engine.put('ns', utf8('k'), text('v'), { ttlMs: 5, expiresAt: clock.now() + 5 })),
    ).toEqual(['invalid', 'give ttlMs or expiresAt, not both'])
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await refusal(engine.put('ns', utf8('k'), text('v'), { ttlMs }))).toEqual([
        'invalid',
        'ttl must be positive',
      ])
    }
    expect(await refusal(engine.put('ns', utf8('k'), text('v'), { expiresAt: Number.NaN }))).toEqual([
      'invalid',
      'expiry must be a time',
    ])
    expect(await refusal(engine.put('ns', utf8('k'), text('v'), { expiresAt: clock.now() }))).toEqual([
      'invalid',
      'expiry is in the past',
    ])
    expect(
      await refusal(engine.put('ns', utf8('k'), text('v'), { expiresAt: LATEST_EXPIRY_MS + 1 })),
    ).toEqual(['invalid', 'expiry is after the year 9999'])
    for (const delta of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(await refusal(engine.increment('ns', utf8('n'), delta))).toEqual([
        'invalid',
        'delta must be finite',
      ])
    }
    expect(await refusal(engine.listSlice('ns', utf8('l'), 0.5, 1))).toEqual([
      'invalid',
      'bounds must be integers',
    ])
    expect(await refusal(engine.listSlice('ns', utf8('l'), 0, 1))).toEqual(['not_found', 'list not found'])
    expect(await engine.count('ns')).toBe(0)
  })

  test('a null expiresAt next to a ttl is no expiry given twice', async () => {
    const clock = new ManualClock()
    const engine = open({ clock })
    const { expiresAt } = await engine.put('ns', utf8('k'), text('v'), { ttlMs: 5, expiresAt: null })
    expect(expiresAt).toBe(clock.now() + 5)
  })

  test('counters: not a number, and overflow of either kind', async () => {
    const engine = open()
    await engine.put('ns', utf8('t'), { bytes: utf8('x'), kind: 'text' })
    expect(await refusal(engine.increment('ns', utf8('t'), 1n))).toEqual([
      'type_mismatch',
      'value is not a number',
    ])
    await engine.put('ns', utf8('i'), { bytes: utf8('9223372036854775807'), kind: 'int' })
    expect(await refusal(engine.increment('ns', utf8('i'), 1n))).toEqual([
      'type_mismatch',
      'integer overflow',
    ])
    await engine.increment('ns', utf8('f'), 1.7e308)
    expect(await refusal(engine.increment('ns', utf8('f'), 1.7e308))).toEqual([
      'type_mismatch',
      'float overflow',
    ])
    expect((await engine.increment('ns', utf8('low'), -(2n ** 63n))).value).toBe(-(2n ** 63n))
  })

  test('a closed engine is unavailable', async () => {
    const engine = open()
    await engine.close()
    await engine.close()
    expect(await refusal(engine.get('ns', utf8('k')))).toEqual(['unavailable', 'engine is closed'])
    expect(await refusal(engine.ping())).toEqual(['unavailable', 'engine is closed'])
  })
})

describe('reads of several keys and list membership', () => {
  test('getMany answers in the order asked, null for what is missing, and checks every key', async () => {
    const engine = open()
    await engine.put('ns', utf8('a'), text('1'))
    await engine.put('ns', utf8('c'), text('3'))
    const found = await engine.getMany('ns', [utf8('c'), utf8('b'), utf8('a')])
    expect(found.map((entry) => entry && fromUtf8(entry.value))).toEqual(['3', null, '1'])
    expect(await refusal(engine.getMany('ns', [utf8('a'), new Uint8Array(0)]))).toEqual([
      'invalid',
      'key must not be empty',
    ])
  })

  test('listExists finds a candidate at the first position, and says false for a missing list', async () => {
    const engine = open()
    await engine.listWrite('ns', utf8('l'), ['"first"', '2'])
    expect(await engine.listExists('ns', utf8('l'), ['"first"'])).toBe(true)
    expect(await engine.listExists('ns', utf8('l'), ['3'])).toBe(false)
    expect(await engine.listExists('ns', utf8('none'), ['"first"'])).toBe(false)
    expect(await engine.listIndex('ns', utf8('l'), ['2.0', '"first"'])).toBe(0)
    expect(await engine.listIndex('ns', utf8('l'), ['2.0'])).toBe(1)
  })
})

/** A backend that counts sweeps and answers them from a script. */
function sweepRecorder(answers: Array<number | Error>) {
  const store = memory()
  const calls: number[] = []
  const backend = new Proxy(store, {
    get(target, method, receiver) {
      if (method !== 'sweep') return Reflect.get(target, method, receiver)
      return async (now: number) => {
        calls.push(now)
        const answer = answers.shift() ?? 0
        if (answer instanceof Error) throw answer
        return answer
      }
    },
  })
  return { backend, calls }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the sweeper', () => {
  test('runs on its interval, reports its failures, and stops when the engine closes', async () => {
    const { backend, calls } = sweepRecorder([new Error('sweep failed')])
    const failures: unknown[] = []
    const engine = open({ sweepIntervalMs: 5, onBackgroundError: (error) => failures.push(error) }, backend)
    await sleep(60)
    expect(calls.length).toBeGreaterThanOrEqual(2)
    expect(failures.map((error) => (error as Error).message)).toEqual(['sweep failed'])
    await engine.close()
    const after = calls.length
    await sleep(30)
    expect(calls.length).toBe(after)
  })

  test('is off with an interval of 0, and sweeps every 30 s by default', async () => {
    const off = sweepRecorder([])
    open({ sweepIntervalMs: 0 }, off.backend)
    const byDefault = sweepRecorder([])
    const engine = new Engine(byDefault.backend, { clock: new ManualClock() })
    engines.push(engine)
    await sleep(30)
    expect([off.calls.length, byDefault.calls.length]).toEqual([0, 0])
  })

  test('maintain keeps sweeping while whole batches come back, with the clock of each round', async () => {
    const clock = new ManualClock()
    const { backend, calls } = sweepRecorder([1000, 1000, 3])
    const engine = open({ clock }, backend)
    await engine.maintain()
    expect(calls).toEqual([clock.now(), clock.now(), clock.now()])
    await engine.close()
    await engine.maintain()
    expect(calls.length).toBe(3)
  })
})
