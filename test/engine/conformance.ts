// The engine conformance suite: one set of behaviours, run unchanged against every backend.
// A backend's test file calls engineConformance with a factory; nothing here knows which store it is.

import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import type { Backend } from '../../core/engine/backend.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine, LATEST_EXPIRY_MS } from '../../core/engine/engine.ts'
import { ConflictError, type EngineErrorCode } from '../../core/engine/errors.ts'
import type { Entry } from '../../core/engine/types.ts'
import { BASE62, randomString } from '../../core/ids.ts'
import { ManualClock } from '../support/manual-clock.ts'

export interface ConformanceTarget {
  /** A fresh backend on the store under test; namespaces are random, so a shared store is fine. */
  backend: () => Promise<Backend> | Backend
}

const text = (value: string) => ({ bytes: utf8(value) })
const keyText = (key: Uint8Array) => fromUtf8(key)

/** Expects an engine error of this code, and of this reason when one is given. */
async function expectCode(promise: Promise<unknown>, code: EngineErrorCode, reason?: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    expect((error as { code?: string }).code).toBe(code)
    if (reason !== undefined) expect((error as { reason?: string }).reason).toBe(reason)
    return
  }
  throw new Error(`expected an engine error ${code}, but the operation succeeded`)
}

export function engineConformance(name: string, target: ConformanceTarget): void {
  describe(`engine conformance: ${name}`, () => {
    let clock: ManualClock
    let engine: Engine
    let ns: string
    const engines: Engine[] = []

    beforeEach(async () => {
      clock = new ManualClock()
      engine = new Engine(await target.backend(), { clock, sweepIntervalMs: 0 })
      engines.push(engine)
      ns = `t${randomString(BASE62, 16)}`
    })

    afterAll(async () => {
      for (const each of engines) await each.close()
    })

    describe('get and put', () => {
      test('a put is read back with its kind, content type, metadata, version and times', async () => {
        const written = await engine.put(
          ns,
          utf8('greeting'),
          { bytes: utf8('{"hi":1}'), kind: 'json', contentType: 'application/json', metadata: '{"m":true}' },
          { ttlMs: 60_000 },
        )
        const entry = await engine.get(ns, utf8('greeting'))
        expect(entry).not.toBeNull()
        expect(fromUtf8(entry!.value)).toBe('{"hi":1}')
        expect(entry!.kind).toBe('json')
        expect(entry!.contentType).toBe('application/json')
        expect(entry!.metadata).toBe('{"m":true}')
        expect(entry!.version).toBe(written.version)
        expect(entry!.updatedAt).toBe(clock.now())
        expect(entry!.expiresAt).toBe(clock.now() + 60_000)
        expect(written.expiresAt).toBe(clock.now() + 60_000)
      })

      test('a missing key reads as null', async () => {
        expect(await engine.get(ns, utf8('nothing'))).toBeNull()
      })

      test('defaults: kind bytes, no content type, no metadata, no expiry', async () => {
        await engine.put(ns, utf8('k'), text('v'))
        const entry = await engine.get(ns, utf8('k'))
        expect(entry).toMatchObject({ kind: 'bytes', contentType: null, metadata: null, expiresAt: null })
      })

      test('a put replaces value, kind, metadata and expiry', async () => {
        await engine.put(ns, utf8('k'), { bytes: utf8('1'), kind: 'int', metadata: '{}' }, { ttlMs: 1000 })
        await engine.put(ns, utf8('k'), text('two'))
        const entry = await engine.get(ns, utf8('k'))
        expect(fromUtf8(entry!.value)).toBe('two')
        expect(entry).toMatchObject({ kind: 'bytes', metadata: null, expiresAt: null })
      })

      test('namespaces are isolated from each other', async () => {
        const other = `${ns}x`
        await engine.put(ns, utf8('same'), text('one'))
        await engine.put(other, utf8('same'), text('two'))
        expect(fromUtf8((await engine.get(ns, utf8('same')))!.value)).toBe('one')
        expect(fromUtf8((await engine.get(other, utf8('same')))!.value)).toBe('two')
      })

      test('versions grow with every write in a namespace', async () => {
        const versions: number[] = []
        for (const key of ['a', 'b', 'a', 'c'])
          versions.push((await engine.put(ns, utf8(key), text(key))).version)
        versions.push((await engine.increment(ns, utf8('n'), 1n)).version)
        versions.push(
          (await engine.batch(ns, [{ type: 'put', key: utf8('d'), value: text('d') }])).versions[0]!,
        )
        for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!)
      })

      test('a key deleted and written again never gets an old version back', async () => {
        const first = await engine.put(ns, utf8('k'), text('1'))
        await engine.delete(ns, utf8('k'))
        const second = await engine.put(ns, utf8('k'), text('2'))
        expect(second.version).toBeGreaterThan(first.version)
      })

      test('values are bytes, stored exactly', async () => {
        const bytes = new Uint8Array(256).map((_, i) => i)
        await engine.put(ns, utf8('all-bytes'), { bytes })
        expect(Array.from((await engine.get(ns, utf8('all-bytes')))!.value)).toEqual(Array.from(bytes))
        await engine.put(ns, utf8('empty'), { bytes: new Uint8Array(0) })
        expect((await engine.get(ns, utf8('empty')))!.value.length).toBe(0)
      })
    })

    describe('conditions', () => {
      test('ifAbsent writes only when no live entry exists', async () => {
        await engine.put(ns, utf8('k'), text('first'), { ifAbsent: true })
        await expectCode(engine.put(ns, utf8('k'), text('second'), { ifAbsent: true }), 'conflict')
        expect(fromUtf8((await engine.get(ns, utf8('k')))!.value)).toBe('first')
      })

      test('ifAbsent treats an expired entry as absent', async () => {
        await engine.put(ns, utf8('k'), text('old'), { ttlMs: 1000 })
        clock.advance(999)
        await expectCode(engine.put(ns, utf8('k'), text('early'), { ifAbsent: true }), 'conflict')
        clock.advance(1)
        await engine.put(ns, utf8('k'), text('new'), { ifAbsent: true })
        expect(fromUtf8((await engine.get(ns, utf8('k')))!.value)).toBe('new')
      })

      test('ifVersion writes only over exactly that version', async () => {
        const { version } = await engine.put(ns, utf8('k'), text('1'))
        await expectCode(engine.put(ns, utf8('k'), text('x'), { ifVersion: version + 1000 }), 'conflict')
        const next = await engine.put(ns, utf8('k'), text('2'), { ifVersion: version })
        expect(next.version).toBeGreaterThan(version)
        await expectCode(engine.put(ns, utf8('k'), text('3'), { ifVersion: version }), 'conflict')
        expect(fromUtf8((await engine.get(ns, utf8('k')))!.value)).toBe('2')
      })

      test('ifVersion on a missing key is a conflict', async () => {
        await expectCode(engine.put(ns, utf8('nope'), text('x'), { ifVersion: 1 }), 'conflict')
        expect(await engine.get(ns, utf8('nope'))).toBeNull()
      })

      test('ifAbsent with ifVersion is invalid', async () => {
        await expectCode(engine.put(ns, utf8('k'), text('x'), { ifAbsent: true, ifVersion: 1 }), 'invalid')
      })

      test('ifExists writes only over a live entry, and returns the new version and expiry', async () => {
        await expectCode(engine.put(ns, utf8('k'), text('x'), { ifExists: true }), 'conflict', 'missing')
        expect(await engine.get(ns, utf8('k'))).toBeNull()
        const first = await engine.put(ns, utf8('k'), text('1'))
        const second = await engine.put(ns, utf8('k'), text('2'), { ifExists: true, ttlMs: 5000 })
        expect(second).toEqual({ version: second.version, expiresAt: clock.now() + 5000 })
        expect(second.version).toBeGreaterThan(first.version)
        expect(await engine.get(ns, utf8('k'))).toMatchObject({ version: second.version })
        expect(fromUtf8((await engine.get(ns, utf8('k')))!.value)).toBe('2')
      })

      test('ifExists treats an expired entry as missing', async () => {
        await engine.put(ns, utf8('k'), text('old'), { ttlMs: 1000 })
        clock.advance(1000)
        const error = await engine.put(ns, utf8('k'), text('new'), { ifExists: true }).catch((e) => e)
        expect(error).toMatchObject({ code: 'conflict', reason: 'missing', message: 'key missing' })
        expect(await engine.get(ns, utf8('k'))).toBeNull()
      })

      test('ifExists with ifVersion needs both; with ifAbsent it is invalid', async () => {
        const { version } = await engine.put(ns, utf8('k'), text('1'))
        await expectCode(
          engine.put(ns, utf8('k'), text('x'), { ifExists: true, ifVersion: version + 1 }),
          'conflict',
          'version',
        )
        await engine.put(ns, utf8('k'), text('2'), { ifExists: true, ifVersion: version })
        await expectCode(
          engine.put(ns, utf8('k'), text('x'), { ifExists: true, ifAbsent: true }),
          'invalid',
          'conditions',
        )
      })

      test('100 concurrent ifExists puts on a key being deleted: none writes after the delete', async () => {
        await engine.put(ns, utf8('k'), text('start'))
        const writes = Array.from({ length: 100 }, (_, i) =>
          engine.put(ns, utf8('k'), text(`w${i}`), { ifExists: true }),
        )
        const deleted = engine.delete(ns, utf8('k'))
        const results = await Promise.allSettled(writes)
        expect(await deleted).toBe(true)
        expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
        await expectCode(engine.put(ns, utf8('k'), text('late'), { ifExists: true }), 'conflict', 'missing')
        expect(await engine.get(ns, utf8('k'))).toBeNull()
      })

      test('100 concurrent ifVersion puts: exactly one wins', async () => {
        const { version } = await engine.put(ns, utf8('cas'), text('start'))
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) =>
            engine.put(ns, utf8('cas'), text(`w${i}`), { ifVersion: version }),
          ),
        )
        const won = results.filter((r) => r.status === 'fulfilled')
        const lost = results.filter((r) => r.status === 'rejected')
        expect(won.length).toBe(1)
        expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true)
        const winner = results.findIndex((r) => r.status === 'fulfilled')
        expect(fromUtf8((await engine.get(ns, utf8('cas')))!.value)).toBe(`w${winner}`)
      })

      test('100 concurrent ifAbsent puts: exactly one wins', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) =>
            engine.put(ns, utf8('once'), text(`w${i}`), { ifAbsent: true }),
          ),
        )
        expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1)
      })

      test('maxKeys refuses a new key beyond the quota but allows updates', async () => {
        await engine.put(ns, utf8('a'), text('1'), { maxKeys: 2 })
        await engine.put(ns, utf8('b'), text('1'), { maxKeys: 2 })
        await expectCode(engine.put(ns, utf8('c'), text('1'), { maxKeys: 2 }), 'quota_exceeded')
        await engine.put(ns, utf8('a'), text('2'), { maxKeys: 2 })
        await engine.delete(ns, utf8('b'))
        await engine.put(ns, utf8('c'), text('1'), { maxKeys: 2 })
      })

      test('maxKeys does not count expired keys', async () => {
        await engine.put(ns, utf8('a'), text('1'), { ttlMs: 1000 })
        await engine.put(ns, utf8('b'), text('1'))
        clock.advance(999)
        await expectCode(engine.put(ns, utf8('c'), text('1'), { maxKeys: 2 }), 'quota_exceeded')
        clock.advance(1)
        await engine.put(ns, utf8('c'), text('1'), { maxKeys: 2 })
        await expectCode(engine.put(ns, utf8('d'), text('1'), { maxKeys: 2 }), 'quota_exceeded')
      })
    })

    describe('delete', () => {
      test('answers whether a live entry was deleted', async () => {
        await engine.put(ns, utf8('k'), text('v'))
        expect(await engine.delete(ns, utf8('k'))).toBe(true)
        expect(await engine.get(ns, utf8('k'))).toBeNull()
        expect(await engine.delete(ns, utf8('k'))).toBe(false)
      })

      test('an expired entry counts as absent', async () => {
        await engine.put(ns, utf8('k'), text('v'), { ttlMs: 10 })
        await engine.put(ns, utf8('live'), text('v'), { ttlMs: 10 })
        clock.advance(9)
        expect(await engine.delete(ns, utf8('live'))).toBe(true)
        clock.advance(1)
        expect(await engine.delete(ns, utf8('k'))).toBe(false)
      })

      test('ifExists deletes a live entry, and is a conflict when there is none', async () => {
        await expectCode(engine.delete(ns, utf8('k'), { ifExists: true }), 'conflict', 'missing')
        const { version } = await engine.put(ns, utf8('k'), text('v'), { ttlMs: 1000 })
        expect(await engine.delete(ns, utf8('k'), { ifExists: true })).toBe(true)
        expect(await engine.get(ns, utf8('k'))).toBeNull()
        await expectCode(engine.delete(ns, utf8('k'), { ifExists: true }), 'conflict', 'missing')
        await engine.put(ns, utf8('gone'), text('v'), { ttlMs: 10 })
        clock.advance(10)
        const error = await engine.delete(ns, utf8('gone'), { ifExists: true }).catch((e) => e)
        expect(error).toMatchObject({ reason: 'missing', message: 'key missing' })
        await engine.put(ns, utf8('v'), text('v'))
        await expectCode(
          engine.delete(ns, utf8('v'), { ifExists: true, ifVersion: version }),
          'conflict',
          'version',
        )
      })

      test('ifVersion deletes only that version', async () => {
        const { version } = await engine.put(ns, utf8('k'), text('v'))
        await expectCode(engine.delete(ns, utf8('k'), { ifVersion: version + 1 }), 'conflict')
        expect(await engine.get(ns, utf8('k'))).not.toBeNull()
        expect(await engine.delete(ns, utf8('k'), { ifVersion: version })).toBe(true)
        await expectCode(engine.delete(ns, utf8('k'), { ifVersion: version }), 'conflict')
      })
    })

    describe('increment', () => {
      test('a missing key counts as zero; integers stay int64', async () => {
        expect(await engine.increment(ns, utf8('n'), 5n)).toMatchObject({ value: 5n, kind: 'int' })
        expect(await engine.increment(ns, utf8('n'), -7n)).toMatchObject({ value: -2n, kind: 'int' })
        const entry = await engine.get(ns, utf8('n'))
        expect(fromUtf8(entry!.value)).toBe('-2')
        expect(entry!.kind).toBe('int')
      })

      test('floats become float64, and an int plus a float is a float', async () => {
        expect(await engine.increment(ns, utf8('f'), 1.01)).toMatchObject({ value: 1.01, kind: 'float' })
        await engine.put(ns, utf8('i'), { bytes: utf8('10'), kind: 'int' })
        expect(await engine.increment(ns, utf8('i'), 0.5)).toMatchObject({ value: 10.5, kind: 'float' })
        expect(fromUtf8((await engine.get(ns, utf8('i')))!.value)).toBe('10.5')
        expect(await engine.increment(ns, utf8('i'), 1n)).toMatchObject({ value: 11.5, kind: 'float' })
      })

      test('int64 arithmetic is exact at the edges and overflow is a type mismatch', async () => {
        const max = 2n ** 63n - 1n
        await engine.put(ns, utf8('big'), { bytes: utf8((max - 1n).toString()), kind: 'int' })
        expect((await engine.increment(ns, utf8('big'), 1n)).value).toBe(max)
        await expectCode(engine.increment(ns, utf8('big'), 1n), 'type_mismatch')
        expect(fromUtf8((await engine.get(ns, utf8('big')))!.value)).toBe(max.toString())
        await engine.put(ns, utf8('small'), { bytes: utf8((-(2n ** 63n)).toString()), kind: 'int' })
        await expectCode(engine.increment(ns, utf8('small'), -1n), 'type_mismatch')
      })

      test('a value that is not a number is a type mismatch, and stays as it was', async () => {
        await engine.put(ns, utf8('t'), { bytes: utf8('hello'), kind: 'text' })
        await expectCode(engine.increment(ns, utf8('t'), 1n), 'type_mismatch')
        expect(fromUtf8((await engine.get(ns, utf8('t')))!.value)).toBe('hello')
      })

      test('an expired counter starts again from zero', async () => {
        await engine.increment(ns, utf8('c'), 41n, { ttlMs: 1000 })
        clock.advance(999)
        expect((await engine.increment(ns, utf8('c'), 1n, { ttlMs: 1 })).value).toBe(42n)
        clock.advance(1)
        expect((await engine.increment(ns, utf8('c'), 1n)).value).toBe(1n)
      })

      test('each increment sets the expiry it is given', async () => {
        await engine.increment(ns, utf8('c'), 1n, { ttlMs: 1000 })
        clock.advance(600)
        await engine.increment(ns, utf8('c'), 1n, { ttlMs: 1000 })
        clock.advance(600)
        expect((await engine.get(ns, utf8('c')))?.expiresAt).toBe(clock.now() + 400)
      })

      test('1,000 concurrent increments end exact', async () => {
        await Promise.all(Array.from({ length: 1000 }, () => engine.increment(ns, utf8('hot'), 1n)))
        expect(fromUtf8((await engine.get(ns, utf8('hot')))!.value)).toBe('1000')
      })
    })

    describe('keys are bytes', () => {
      test('keys with 0x00, 0xFF and invalid UTF-8 are distinct and exact', async () => {
        const keys = [
          new Uint8Array([0x00]),
          new Uint8Array([0x00, 0x00]),
          new Uint8Array([0xff]),
          new Uint8Array([0xff, 0xfe, 0x80]),
          new Uint8Array([0x61, 0x00, 0x62]),
        ]
        for (const [i, key] of keys.entries()) await engine.put(ns, key, text(`v${i}`))
        for (const [i, key] of keys.entries())
          expect(fromUtf8((await engine.get(ns, key))!.value)).toBe(`v${i}`)
      })

      test('scans return keys in byte order, not string order', async () => {
        const keys = [[0xff], [0x00], [0x61], [0x61, 0x00], [0x7f], [0x80], [0xc3, 0xa9], [0x41]].map(
          (bytes) => new Uint8Array(bytes),
        )
        for (const key of keys) await engine.put(ns, key, text('v'))
        const { entries } = await engine.scan(ns, { limit: 100 })
        expect(entries.map((e) => Array.from(e.key))).toEqual([
          [0x00],
          [0x41],
          [0x61],
          [0x61, 0x00],
          [0x7f],
          [0x80],
          [0xc3, 0xa9],
          [0xff],
        ])
      })

      test('a prefix ending in 0xFF bytes scans exactly its keys', async () => {
        const keys = [[0x01, 0xff], [0x01, 0xff, 0x00], [0x01, 0xff, 0xff], [0x02], [0x01, 0xfe]]
        for (const key of keys) await engine.put(ns, new Uint8Array(key), text('v'))
        const { entries } = await engine.scan(ns, { prefix: new Uint8Array([0x01, 0xff]), limit: 100 })
        expect(entries.map((e) => Array.from(e.key))).toEqual([
          [0x01, 0xff],
          [0x01, 0xff, 0x00],
          [0x01, 0xff, 0xff],
        ])
      })

      test('an empty key is invalid; a key or value over the hard maximum is too large', async () => {
        await expectCode(engine.put(ns, new Uint8Array(0), text('v')), 'invalid')
        await expectCode(engine.get(ns, new Uint8Array(engine.limits.maxKeyBytes + 1)), 'too_large')
        await expectCode(
          engine.put(ns, utf8('k'), { bytes: new Uint8Array(engine.limits.maxValueBytes + 1) }),
          'too_large',
        )
        await expectCode(
          engine.put(ns, utf8('k'), {
            bytes: utf8('v'),
            metadata: 'x'.repeat(engine.limits.maxMetadataBytes + 1),
          }),
          'too_large',
        )
      })
    })

    describe('scan', () => {
      const fill = async (count: number, prefix = 'key:') => {
        const keys = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`)
        for (let i = 0; i < keys.length; i += 500) {
          await engine.batch(
            ns,
            keys
              .slice(i, i + 500)
              .map((key) => ({ type: 'put' as const, key: utf8(key), value: text(`value of ${key}`) })),
          )
        }
        return keys
      }

      test('pages by cursor over 2,500 keys, forward and in reverse, seeing each key once', async () => {
        const keys = await fill(2500)
        await engine.put(ns, utf8('other:1'), text('v'))
        for (const reverse of [false, true]) {
          const seen: string[] = []
          let cursor: Uint8Array | undefined
          let pages = 0
          do {
            const page = await engine.scan(ns, { prefix: utf8('key:'), cursor, limit: 100, reverse })
            seen.push(...page.entries.map((e) => keyText(e.key)))
            cursor = page.cursor ?? undefined
            pages++
          } while (cursor)
          expect(pages).toBe(25)
          expect(seen).toEqual(reverse ? [...keys].reverse() : keys)
        }
      })

      test('the last page has no cursor, and an exact fit does not ask for an empty page', async () => {
        await fill(10)
        const page = await engine.scan(ns, { limit: 10 })
        expect(page.entries.length).toBe(10)
        expect(page.cursor).toBeNull()
        const partial = await engine.scan(ns, { limit: 4 })
        expect(keyText(partial.cursor!)).toBe('key:00003')
      })

      test('offset skips, limit bounds, withValues includes values', async () => {
        await fill(20)
        const page = await engine.scan(ns, { offset: 5, limit: 3, withValues: true })
        expect(page.entries.map((e) => keyText(e.key))).toEqual(['key:00005', 'key:00006', 'key:00007'])
        expect(fromUtf8(page.entries[0]!.value!)).toBe('value of key:00005')
        const reversed = await engine.scan(ns, { offset: 2, limit: 2, reverse: true })
        expect(reversed.entries.map((e) => keyText(e.key))).toEqual(['key:00017', 'key:00016'])
        const bare = await engine.scan(ns, { limit: 1 })
        expect(bare.entries[0]!.value).toBeUndefined()
      })

      test('a cursor outside the prefix range starts at its edge or ends the scan', async () => {
        for (const key of ['a1', 'b1', 'b2', 'c1']) await engine.put(ns, utf8(key), text('v'))
        const keys = async (query: { cursor: string; reverse?: boolean }) =>
          (
            await engine.scan(ns, { prefix: utf8('b'), limit: 10, ...query, cursor: utf8(query.cursor) })
          ).entries.map((entry) => keyText(entry.key))
        expect(await keys({ cursor: 'a9' })).toEqual(['b1', 'b2'])
        expect(await keys({ cursor: 'c' })).toEqual([])
        expect(await keys({ cursor: 'b' })).toEqual(['b1', 'b2'])
        expect(await keys({ cursor: 'c', reverse: true })).toEqual(['b2', 'b1'])
        expect(await keys({ cursor: 'a9', reverse: true })).toEqual([])
        expect(await keys({ cursor: 'b2', reverse: true })).toEqual(['b1'])
      })

      test('a cursor combines with offset and prefix', async () => {
        await fill(30)
        const page = await engine.scan(ns, {
          prefix: utf8('key:0001'),
          cursor: utf8('key:00012'),
          offset: 1,
          limit: 3,
        })
        expect(page.entries.map((e) => keyText(e.key))).toEqual(['key:00014', 'key:00015', 'key:00016'])
      })

      test('expired entries never appear, even before they are swept', async () => {
        await engine.put(ns, utf8('a'), text('v'))
        await engine.put(ns, utf8('b'), text('v'), { ttlMs: 1000 })
        await engine.put(ns, utf8('c'), text('v'))
        clock.advance(1000)
        const { entries } = await engine.scan(ns, { limit: 10 })
        expect(entries.map((e) => keyText(e.key))).toEqual(['a', 'c'])
        const page = await engine.scan(ns, { limit: 1 })
        expect(keyText(page.cursor!)).toBe('a')
        expect(
          (await engine.scan(ns, { limit: 1, cursor: page.cursor! })).entries.map((e) => keyText(e.key)),
        ).toEqual(['c'])
      })

      test('a limit over the hard maximum or a negative offset is invalid', async () => {
        await expectCode(engine.scan(ns, { limit: engine.limits.maxScanLimit + 1 }), 'invalid')
        await expectCode(engine.scan(ns, { limit: 1, offset: -1 }), 'invalid')
      })
    })

    describe('count', () => {
      test('counts live entries, by prefix', async () => {
        for (const key of ['a:1', 'a:2', 'b:1']) await engine.put(ns, utf8(key), text('v'))
        await engine.put(ns, utf8('a:3'), text('v'), { ttlMs: 100 })
        expect(await engine.count(ns)).toBe(4)
        expect(await engine.count(ns, { prefix: utf8('a:') })).toBe(3)
        clock.advance(100)
        expect(await engine.count(ns)).toBe(3)
        expect(await engine.count(ns, { prefix: utf8('a:') })).toBe(2)
        expect(await engine.count(`${ns}-empty`)).toBe(0)
      })
    })

    describe('batch', () => {
      test('applies puts and deletes together and returns versions', async () => {
        await engine.put(ns, utf8('old'), text('v'))
        const { versions } = await engine.batch(ns, [
          { type: 'put', key: utf8('a'), value: text('1') },
          { type: 'delete', key: utf8('old') },
          { type: 'put', key: utf8('b'), value: { bytes: utf8('2'), kind: 'int' }, ttlMs: 5000 },
        ])
        expect(versions[0]).toBeNumber()
        expect(versions[1]).toBeNull()
        expect(await engine.get(ns, utf8('old'))).toBeNull()
        expect(await engine.get(ns, utf8('b'))).toMatchObject({ kind: 'int', expiresAt: clock.now() + 5000 })
      })

      test('a failing check changes nothing and names the failing operation', async () => {
        await engine.put(ns, utf8('keep'), text('original'))
        const attempt = engine.batch(ns, [
          { type: 'put', key: utf8('keep'), value: text('changed') },
          { type: 'delete', key: utf8('keep') },
          { type: 'put', key: utf8('new'), value: text('v') },
          { type: 'check', key: utf8('absent'), exists: true },
        ])
        const error = await attempt.catch((e) => e)
        expect(error).toBeInstanceOf(ConflictError)
        expect((error as ConflictError).opIndex).toBe(3)
        expect(fromUtf8((await engine.get(ns, utf8('keep')))!.value)).toBe('original')
        expect(await engine.get(ns, utf8('new'))).toBeNull()
      })

      test('checks by version and by absence; conditional puts and deletes', async () => {
        const { version } = await engine.put(ns, utf8('v'), text('1'))
        await engine.batch(ns, [
          { type: 'check', key: utf8('v'), version },
          { type: 'check', key: utf8('missing'), exists: false },
          { type: 'put', key: utf8('fresh'), value: text('x'), ifAbsent: true },
        ])
        await expectCode(
          engine.batch(ns, [{ type: 'put', key: utf8('fresh'), value: text('y'), ifAbsent: true }]),
          'conflict',
        )
        await expectCode(
          engine.batch(ns, [{ type: 'delete', key: utf8('v'), ifVersion: version + 100 }]),
          'conflict',
        )
        await expectCode(
          engine.batch(ns, [{ type: 'check', key: utf8('v'), version: version + 100 }]),
          'conflict',
        )
        expect(fromUtf8((await engine.get(ns, utf8('fresh')))!.value)).toBe('x')
        // A check reads its key and leaves it as it was.
        expect((await engine.get(ns, utf8('v')))?.version).toBe(version)
      })

      test('puts and deletes with ifExists, judged against the state before the batch', async () => {
        await engine.put(ns, utf8('here'), text('1'))
        await engine.put(ns, utf8('also'), text('1'))
        const { versions } = await engine.batch(ns, [
          { type: 'put', key: utf8('here'), value: text('2'), ifExists: true },
          { type: 'delete', key: utf8('also'), ifExists: true },
        ])
        expect(versions[0]).toBeNumber()
        expect(fromUtf8((await engine.get(ns, utf8('here')))!.value)).toBe('2')
        expect(await engine.get(ns, utf8('also'))).toBeNull()
        const failure = await engine
          .batch(ns, [
            { type: 'put', key: utf8('fresh'), value: text('x') },
            { type: 'put', key: utf8('fresh'), value: text('y'), ifExists: true },
          ])
          .catch((e) => e)
        expect(failure).toMatchObject({ code: 'conflict', reason: 'missing', opIndex: 1 })
        expect(await engine.get(ns, utf8('fresh'))).toBeNull()
        await expectCode(
          engine.batch(ns, [{ type: 'delete', key: utf8('also'), ifExists: true }]),
          'conflict',
          'missing',
        )
        await expectCode(
          engine.batch(ns, [
            { type: 'put', key: utf8('here'), value: text('x'), ifExists: true, ifAbsent: true },
          ]),
          'invalid',
          'conditions',
        )
        expect(fromUtf8((await engine.get(ns, utf8('here')))!.value)).toBe('2')
      })

      test('reports the expiry of each put beside its version', async () => {
        await engine.put(ns, utf8('old'), text('v'))
        const result = await engine.batch(ns, [
          { type: 'put', key: utf8('a'), value: text('1'), ttlMs: 5000 },
          { type: 'put', key: utf8('b'), value: text('2') },
          { type: 'delete', key: utf8('old') },
          { type: 'check', key: utf8('nothing'), exists: false },
          { type: 'put', key: utf8('c'), value: text('3'), expiresAt: clock.now() + 60_000 },
        ])
        expect(result.expiresAt).toEqual([clock.now() + 5000, null, null, null, clock.now() + 60_000])
        expect(result.versions.map((v) => v === null)).toEqual([false, false, true, true, false])
        expect((await engine.get(ns, utf8('a')))!.expiresAt).toBe(result.expiresAt[0]!)
        expect((await engine.get(ns, utf8('c')))!.expiresAt).toBe(result.expiresAt[4]!)
      })

      test('conditions are judged against the state before the batch', async () => {
        await expectCode(
          engine.batch(ns, [
            { type: 'put', key: utf8('k'), value: text('v') },
            { type: 'check', key: utf8('k'), exists: true },
          ]),
          'conflict',
        )
        expect(await engine.get(ns, utf8('k'))).toBeNull()
      })

      test('a key written twice in one batch keeps the last value', async () => {
        await engine.batch(ns, [
          { type: 'put', key: utf8('k'), value: text('first') },
          { type: 'put', key: utf8('k'), value: text('last') },
        ])
        expect(fromUtf8((await engine.get(ns, utf8('k')))!.value)).toBe('last')
      })

      test('too many operations are refused', async () => {
        const ops = Array.from({ length: engine.limits.maxBatchOps + 1 }, () => ({
          type: 'delete' as const,
          key: utf8('k'),
        }))
        await expectCode(engine.batch(ns, ops), 'too_large')
      })
    })

    describe('errors name their reason', () => {
      test('a failed put or delete condition: exists or version, with the message dialects know', async () => {
        const { version } = await engine.put(ns, utf8('k'), text('v'))
        const exists = await engine.put(ns, utf8('k'), text('x'), { ifAbsent: true }).catch((e) => e)
        expect(exists).toMatchObject({ code: 'conflict', reason: 'exists', message: 'key exists' })
        const stale = await engine.put(ns, utf8('k'), text('x'), { ifVersion: version + 1 }).catch((e) => e)
        expect(stale).toMatchObject({ code: 'conflict', reason: 'version', message: 'version mismatch' })
        await expectCode(
          engine.put(ns, utf8('none'), text('x'), { ifVersion: version }),
          'conflict',
          'version',
        )
        await expectCode(engine.delete(ns, utf8('k'), { ifVersion: version + 1 }), 'conflict', 'version')
      })

      test('a failed batch condition names its operation and its reason', async () => {
        const { version } = await engine.put(ns, utf8('here'), text('v'))
        const failure = (ops: Parameters<Engine['batch']>[1]) => engine.batch(ns, ops).catch((e) => e)
        expect(
          await failure([
            { type: 'put', key: utf8('a'), value: text('1') },
            { type: 'check', key: utf8('gone'), exists: true },
          ]),
        ).toMatchObject({ reason: 'missing', opIndex: 1, key: utf8('gone') })
        expect(await failure([{ type: 'check', key: utf8('here'), exists: false }])).toMatchObject({
          reason: 'exists',
          opIndex: 0,
        })
        expect(
          await failure([{ type: 'put', key: utf8('here'), value: text('x'), ifAbsent: true }]),
        ).toMatchObject({ reason: 'exists', opIndex: 0 })
        expect(
          await failure([
            { type: 'check', key: utf8('here'), version },
            { type: 'delete', key: utf8('here'), ifVersion: version + 1 },
          ]),
        ).toMatchObject({ reason: 'version', opIndex: 1 })
        expect(await failure([{ type: 'check', key: utf8('here'), version: version + 1 }])).toMatchObject({
          reason: 'version',
          message: 'condition of operation 0 failed',
        })
      })

      // Dialects choose their answer by code and reason (core/http/error-table.ts), so the reason is
      // part of what a refusal says.
      test('every other refusal names its reason too', async () => {
        const small = new Engine(await target.backend(), {
          clock,
          sweepIntervalMs: 0,
          limits: { maxBatchOps: 2, maxListItems: 2, maxMetadataBytes: 4 },
        })
        engines.push(small)
        await expectCode(small.increment(ns, utf8('n'), Number.NaN), 'invalid', 'delta')
        await expectCode(small.scan(ns, { limit: 1, offset: -1 }), 'invalid', 'offset')
        const op = { type: 'delete' as const, key: utf8('k') }
        await expectCode(small.batch(ns, [op, op, op]), 'too_large', 'batch')
        await expectCode(small.listWrite(ns, utf8('l'), ['1', '2', '3']), 'invalid', 'list-size')
        await expectCode(small.listSlice(ns, utf8('l'), 0.5, 1), 'invalid', 'bounds')
        await expectCode(small.listWrite(ns, utf8('l'), ['"open']), 'invalid', 'json')
        await expectCode(
          small.put(ns, utf8('k'), { ...text('v'), metadata: '12345' }),
          'too_large',
          'metadata',
        )
        for (const expiry of [
          { ttlMs: 5, expiresAt: clock.now() + 5 },
          { expiresAt: Number.NaN },
          { expiresAt: clock.now() },
          { expiresAt: LATEST_EXPIRY_MS + 1 },
        ]) {
          await expectCode(engine.put(ns, utf8('k'), text('v'), expiry), 'invalid', 'expiry')
        }
        expect(
          await engine.put(ns, utf8('k'), text('v'), { ifAbsent: true, ifExists: true }).catch((e) => e),
        ).toMatchObject({ reason: 'conditions', message: 'ifAbsent and ifExists cannot be combined' })
        await expectCode(engine.namespaces.create({ dialect: 'd\u0000' }), 'invalid', 'name')
        const created = await engine.namespaces.create({ dialect: 'd' })
        await engine.namespaces.update(created.id, { settings: { n: 1 } })
        await expectCode(
          engine.namespaces.update(created.id, { settings: {} }, { ifVersion: created.version }),
          'conflict',
          'namespace-changed',
        )
        const closed = new Engine(await target.backend(), { clock, sweepIntervalMs: 0 })
        await closed.close()
        await expectCode(closed.get(ns, utf8('k')), 'unavailable', 'closed')
      })

      test('limits, invalid input, type mismatches and missing lists', async () => {
        await expectCode(engine.put(ns, new Uint8Array(0), text('v')), 'invalid', 'key')
        await expectCode(engine.get(ns, new Uint8Array(engine.limits.maxKeyBytes + 1)), 'too_large', 'key')
        await expectCode(
          engine.put(ns, utf8('k'), { bytes: new Uint8Array(engine.limits.maxValueBytes + 1) }),
          'too_large',
          'value',
        )
        await expectCode(engine.put(ns, utf8('k'), text('v'), { ttlMs: -1 }), 'invalid', 'expiry')
        await expectCode(
          engine.put(ns, utf8('k'), text('v'), { ifAbsent: true, ifVersion: 1 }),
          'invalid',
          'conditions',
        )
        await expectCode(engine.scan(ns, { limit: -1 }), 'invalid', 'limit')
        await expectCode(engine.listRead(ns, utf8('nolist')), 'not_found', 'list')
        await expectCode(engine.listWrite(ns, utf8('l'), ['{}']), 'invalid', 'json')
        await expectCode(engine.listAdd(ns, utf8('l'), ['1', '2'], { maxItems: 1 }), 'invalid', 'list-size')
        await engine.put(ns, utf8('t'), { bytes: utf8('hello'), kind: 'text' })
        const mismatch = await engine.increment(ns, utf8('t'), 1n).catch((e) => e)
        expect(mismatch).toMatchObject({ reason: 'not-a-number', message: 'value is not a number' })
        await engine.put(ns, utf8('max'), { bytes: utf8((2n ** 63n - 1n).toString()), kind: 'int' })
        const overflow = await engine.increment(ns, utf8('max'), 1n).catch((e) => e)
        expect(overflow).toMatchObject({ reason: 'int-overflow', message: 'integer overflow' })
        await engine.put(ns, utf8('huge'), { bytes: utf8('1e308'), kind: 'float' })
        await expectCode(engine.increment(ns, utf8('huge'), 1e308), 'type_mismatch', 'float-overflow')
        await engine.put(ns, utf8('a'), text('1'), { maxKeys: 100 })
        const count = await engine.count(ns)
        await expectCode(
          engine.put(ns, utf8('one-more'), text('1'), { maxKeys: count }),
          'quota_exceeded',
          'keys',
        )
      })

      test('namespaces: id taken, title taken, changed, not found', async () => {
        const dialect = 'conformance'
        const owner = `acct-${ns}`
        const id = `n${randomString(BASE62, 12)}`
        const first = await engine.namespaces.create({ dialect, id, owner, title: 'one' })
        const taken = await engine.namespaces.create({ dialect, id }).catch((e) => e)
        expect(taken).toMatchObject({ reason: 'exists', message: 'namespace exists' })
        const title = await engine.namespaces.create({ dialect, owner, title: 'one' }).catch((e) => e)
        expect(title).toMatchObject({ reason: 'title-taken', message: 'title taken' })
        const second = await engine.namespaces.create({ dialect, owner, title: 'two' })
        const rename = await engine.namespaces.update(second.id, { title: 'one' }).catch((e) => e)
        expect(rename).toMatchObject({ reason: 'title-taken', message: 'title taken' })
        await engine.namespaces.update(first.id, { settings: { n: 1 } })
        const changed = await engine.namespaces
          .update(first.id, { settings: { n: 2 } }, { ifVersion: first.version })
          .catch((e) => e)
        expect(changed).toMatchObject({ reason: 'namespace-changed', message: 'namespace changed' })
        await expectCode(engine.namespaces.update('missing', { settings: {} }), 'not_found', 'namespace')
        await expectCode(engine.namespaces.create({ dialect, id: 'has space' }), 'invalid', 'namespace-id')
      })
    })

    describe('expiry', () => {
      test('an entry is visible until its expiry, then gone from get, scan and count', async () => {
        await engine.put(ns, utf8('k'), text('v'), { ttlMs: 1000 })
        clock.advance(999)
        expect(await engine.get(ns, utf8('k'))).not.toBeNull()
        expect((await engine.scan(ns, { limit: 10 })).entries.map((e) => keyText(e.key))).toEqual(['k'])
        expect(await engine.count(ns)).toBe(1)
        clock.advance(1)
        expect(await engine.get(ns, utf8('k'))).toBeNull()
        expect((await engine.scan(ns, { limit: 10 })).entries).toEqual([])
        expect(await engine.count(ns)).toBe(0)
      })

      test('an absolute expiry works like a ttl; a past one is invalid', async () => {
        await engine.put(ns, utf8('k'), text('v'), { expiresAt: clock.now() + 50 })
        expect((await engine.get(ns, utf8('k')))!.expiresAt).toBe(clock.now() + 50)
        await expectCode(engine.put(ns, utf8('late'), text('v'), { expiresAt: clock.now() - 1 }), 'invalid')
        await expectCode(engine.put(ns, utf8('now'), text('v'), { expiresAt: clock.now() }), 'invalid')
        await expectCode(engine.increment(ns, utf8('n'), 1n, { expiresAt: clock.now() }), 'invalid')
        await expectCode(
          engine.batch(ns, [{ type: 'put', key: utf8('b'), value: text('v'), expiresAt: clock.now() }]),
          'invalid',
        )
        expect(await engine.count(ns)).toBe(1)
        await engine.put(ns, utf8('next'), text('v'), { expiresAt: clock.now() + 1 })
        expect((await engine.get(ns, utf8('next')))!.expiresAt).toBe(clock.now() + 1)
        await engine.put(ns, utf8('tiny'), text('v'), { ttlMs: 0.25 })
        expect((await engine.get(ns, utf8('tiny')))!.expiresAt).toBe(clock.now() + 1)
        await expectCode(engine.put(ns, utf8('zero'), text('v'), { ttlMs: 0 }), 'invalid')
        await expectCode(
          engine.put(ns, utf8('both'), text('v'), { ttlMs: 5, expiresAt: clock.now() + 5 }),
          'invalid',
        )
      })

      test('an expiry after the year 9999 is invalid: every backend can store and read back up to it', async () => {
        await engine.put(ns, utf8('last'), text('v'), { expiresAt: LATEST_EXPIRY_MS })
        expect((await engine.get(ns, utf8('last')))!.expiresAt).toBe(LATEST_EXPIRY_MS)
        await expectCode(
          engine.put(ns, utf8('after'), text('v'), { expiresAt: LATEST_EXPIRY_MS + 1 }),
          'invalid',
        )
        await expectCode(
          engine.put(ns, utf8('ttl'), text('v'), { ttlMs: LATEST_EXPIRY_MS - clock.now() + 1 }),
          'invalid',
        )
        await engine.delete(ns, utf8('last'))
        const lastSecond = Date.UTC(9999, 11, 31, 23, 59, 59)
        await engine.put(ns, utf8('far'), text('v'), { expiresAt: lastSecond })
        expect((await engine.get(ns, utf8('far')))!.expiresAt).toBe(lastSecond)
        expect((await engine.scan(ns, { limit: 10 })).entries.map((entry) => entry.expiresAt)).toEqual([
          lastSecond,
        ])
        await expectCode(
          engine.put(ns, utf8('later'), text('v'), { expiresAt: lastSecond + 1001 }),
          'invalid',
        )
        await expectCode(
          engine.put(ns, utf8('huge'), text('v'), { ttlMs: Number.MAX_SAFE_INTEGER }),
          'invalid',
        )
        await expectCode(
          engine.batch(ns, [{ type: 'put', key: utf8('b'), value: text('v'), expiresAt: 2 ** 60 }]),
          'invalid',
        )
      })

      // The expiry index must follow every rewrite of a key: an entry that lost its expiry and is
      // still listed as expiring would be swept, or uncounted, once the old expiry passes.
      test('a write without expiry over an expiring entry keeps it past the old expiry, through a sweep', async () => {
        await engine.put(ns, utf8('put'), text('old'), { ttlMs: 1000 })
        await engine.put(ns, utf8('put'), text('kept'))
        await engine.put(ns, utf8('batch'), text('old'), { ttlMs: 1000 })
        await engine.batch(ns, [{ type: 'put', key: utf8('batch'), value: text('kept') }])
        await engine.increment(ns, utf8('counter'), 1n, { ttlMs: 1000 })
        await engine.increment(ns, utf8('counter'), 1n)
        await engine.put(ns, utf8('longer'), text('old'), { ttlMs: 1000 })
        await engine.put(ns, utf8('longer'), text('kept'), { ttlMs: 5000 })
        clock.advance(2000)
        expect(await engine.count(ns)).toBe(4)
        await engine.maintain()
        const live = async () =>
          (await engine.scan(ns, { limit: 10, withValues: true })).entries.map((e) => [
            keyText(e.key),
            fromUtf8(e.value!),
          ])
        const kept = [
          ['batch', 'kept'],
          ['counter', '2'],
          ['longer', 'kept'],
          ['put', 'kept'],
        ]
        expect(await live()).toEqual(kept)
        expect(await engine.count(ns)).toBe(4)
        for (const [key, value] of kept)
          expect(fromUtf8((await engine.get(ns, utf8(key!)))!.value)).toBe(value!)
        clock.advance(3000)
        await engine.maintain()
        expect(await engine.count(ns)).toBe(3)
        expect((await live()).map(([key]) => key)).toEqual(['batch', 'counter', 'put'])
      })

      test('maintain finishes dropping a namespace whose drop was left half done', async () => {
        // A process that dies after deleting a namespace leaves its drop marker (namespaces.ts):
        // the next maintenance run, in any process, removes the data.
        const doomed = `${ns}-doomed`
        await engine.put(doomed, utf8('k'), text('v'))
        await engine.listWrite(doomed, utf8('l'), ['1'])
        await engine.put('_system', utf8(`drop\u0000${doomed}`), { bytes: new Uint8Array(0) })
        expect(engine.backendName).toBe(engine.backend.name)
        await engine.maintain()
        expect(await engine.count(doomed)).toBe(0)
        expect(await engine.listKeys(doomed)).toEqual([])
        expect(await engine.count('_system', { prefix: utf8('drop\u0000') })).toBe(0)
      })

      test('the sweeper removes expired entries and keeps the rest', async () => {
        await engine.put(ns, utf8('gone'), text('v'), { ttlMs: 10 })
        await engine.put(ns, utf8('kept'), text('v'), { ttlMs: 100_000 })
        clock.advance(20)
        await engine.maintain()
        expect(await engine.get(ns, utf8('kept'))).not.toBeNull()
        // Back before its expiry, only a swept entry stays invisible.
        clock.advance(-20)
        expect(await engine.get(ns, utf8('gone'))).toBeNull()
      })

      test('each sweep deletes at most its limit, including an entry expiring exactly now', async () => {
        for (let i = 0; i < 5; i++) await engine.put(ns, utf8(`e${i}`), text('v'), { ttlMs: 1000 })
        await engine.put(ns, utf8('kept'), text('v'), { ttlMs: 1001 })
        clock.advance(1000)
        const swept = []
        for (let i = 0; i < 4; i++) swept.push(await engine.backend.sweep(clock.now(), 2))
        expect(swept).toEqual([2, 2, 1, 0])
        clock.advance(-1000)
        expect((await engine.scan(ns, { limit: 10 })).entries.map((e) => keyText(e.key))).toEqual(['kept'])
      })

      test('maintain sweeps batch after batch until no whole batch comes back', async () => {
        // The engine sweeps 1,000 at a time: 1,001 expired entries need a second batch.
        const ops = Array.from({ length: 1001 }, (_, i) => ({
          type: 'put' as const,
          key: utf8(`e${i}`),
          value: text('v'),
          ttlMs: 10,
        }))
        await engine.batch(ns, ops)
        clock.advance(20)
        await engine.maintain()
        clock.advance(-20)
        expect(await engine.count(ns)).toBe(0)
      })
    })

    describe('lists', () => {
      const list = utf8('users')

      test('write keeps the first occurrence of each value, in order', async () => {
        expect(
          await engine.listWrite(ns, list, ['"bob"', '"alice"', '"bob"', '1', '1.0', '"1"', 'true', 'null']),
        ).toEqual(['"bob"', '"alice"', '1', '"1"', 'true', 'null'])
        expect(await engine.listRead(ns, list)).toEqual(['"bob"', '"alice"', '1', '"1"', 'true', 'null'])
      })

      test('add appends only new values, creates the list, and returns it whole', async () => {
        expect(await engine.listAdd(ns, list, ['"a"', '"b"'])).toEqual(['"a"', '"b"'])
        expect(await engine.listAdd(ns, list, ['"b"', '"c"', '"a"', '"c"'])).toEqual(['"a"', '"b"', '"c"'])
      })

      test('numbers compare by value, keeping the text first sent', async () => {
        await engine.listWrite(ns, list, ['100', '12345678901234567890'])
        expect(await engine.listAdd(ns, list, ['1e2', '1.00e2', '12345678901234567891', '-0', '0'])).toEqual([
          '100',
          '12345678901234567890',
          '12345678901234567891',
          '-0',
        ])
      })

      test('after removals and adds, positions, counts and slices stay dense and in order', async () => {
        await engine.listWrite(ns, list, ['1', '2', '3', '4', '5'])
        await engine.listRemove(ns, list, ['2', '4'])
        expect(await engine.listAdd(ns, list, ['2', '6'])).toEqual(['1', '3', '5', '2', '6'])
        expect(await engine.listCount(ns, list)).toBe(5)
        expect(await engine.listIndex(ns, list, ['2'])).toBe(3)
        expect(await engine.listIndex(ns, list, ['1', '6'])).toBe(0)
        expect(await engine.listSlice(ns, list, 1, 3)).toEqual(['3', '5', '2'])
        expect(await engine.listSlice(ns, list, -2, -1)).toEqual(['2', '6'])
        expect(await engine.listSlice(ns, list, 4, 10)).toEqual(['6'])
        expect(await engine.listSlice(ns, list, 5, 10)).toEqual([])
        // A rewrite starts over: what is added next follows the new elements.
        await engine.listWrite(ns, list, ['"a"'])
        expect(await engine.listAdd(ns, list, ['"b"'])).toEqual(['"a"', '"b"'])
        expect(await engine.listIndex(ns, list, ['"b"'])).toBe(1)
        expect(await engine.listCount(ns, list)).toBe(2)
        // A deleted list leaves nothing behind for the next one of its key.
        await engine.listDelete(ns, list)
        expect(await engine.listAdd(ns, list, ['"c"'])).toEqual(['"c"'])
      })

      test('remove ignores absent values and keeps an emptied list', async () => {
        await engine.listWrite(ns, list, ['"a"', '"b"', '"c"'])
        expect(await engine.listRemove(ns, list, ['"b"', '"zzz"'])).toEqual(['"a"', '"c"'])
        expect(await engine.listRemove(ns, list, ['"a"', '"c"'])).toEqual([])
        expect(await engine.listExists(ns, list)).toBe(true)
        expect(await engine.listCount(ns, list)).toBe(0)
      })

      test('a written empty list exists', async () => {
        expect(await engine.listWrite(ns, list, [])).toEqual([])
        expect(await engine.listRead(ns, list)).toEqual([])
      })

      test('a missing list is not found, and does not exist', async () => {
        await expectCode(engine.listRead(ns, list), 'not_found')
        await expectCode(engine.listCount(ns, list), 'not_found')
        await expectCode(engine.listIndex(ns, list, ['1']), 'not_found')
        await expectCode(engine.listRemove(ns, list, ['1']), 'not_found')
        await expectCode(engine.listSlice(ns, list, 0, 1), 'not_found')
        expect(await engine.listExists(ns, list)).toBe(false)
        expect(await engine.listExists(ns, list, ['1'])).toBe(false)
        expect(await engine.listDelete(ns, list)).toBe(false)
      })

      test('slice: end inclusive, negative from the end, clamped, empty when start is after end', async () => {
        await engine.listWrite(ns, list, ['"a"', '"b"', '"c"', '"d"', '"e"'])
        const slice = (start: number, end: number) => engine.listSlice(ns, list, start, end)
        expect(await slice(0, 1)).toEqual(['"a"', '"b"'])
        expect(await slice(-2, -1)).toEqual(['"d"', '"e"'])
        expect(await slice(3, 100)).toEqual(['"d"', '"e"'])
        expect(await slice(-100, 0)).toEqual(['"a"'])
        expect(await slice(3, 1)).toEqual([])
        expect(await slice(5, 9)).toEqual([])
        expect(await slice(0, -6)).toEqual([])
        expect(await slice(1, -2)).toEqual(['"b"', '"c"', '"d"'])
        await expectCode(slice(0.5, 1), 'invalid')
      })

      test('index and exists find the first element equal to any candidate', async () => {
        await engine.listWrite(ns, list, ['"x"', '5', '"5"', 'null'])
        expect(await engine.listIndex(ns, list, ['"5"', '5'])).toBe(1)
        expect(await engine.listIndex(ns, list, ['"5"'])).toBe(2)
        expect(await engine.listIndex(ns, list, ['5.0'])).toBe(1)
        expect(await engine.listIndex(ns, list, ['"nope"'])).toBe(-1)
        expect(await engine.listExists(ns, list, ['null'])).toBe(true)
        expect(await engine.listExists(ns, list, ['false'])).toBe(false)
        await engine.listRemove(ns, list, ['"x"'])
        expect(await engine.listIndex(ns, list, ['null'])).toBe(2)
      })

      test('delete removes the list; lists and entries are separate keyspaces', async () => {
        await engine.listWrite(ns, list, ['1'])
        await engine.put(ns, list, text('an item'))
        await engine.listWrite(ns, utf8('userz'), ['2'])
        await engine.listWrite(ns, utf8('other'), ['3'])
        expect((await engine.listKeys(ns, { prefix: utf8('user') })).map(keyText)).toEqual(['users', 'userz'])
        expect((await engine.listKeys(ns)).map(keyText)).toEqual(['other', 'users', 'userz'])
        expect((await engine.scan(ns, { limit: 10 })).entries.map((e) => keyText(e.key))).toEqual(['users'])
        expect(await engine.listDelete(ns, list)).toBe(true)
        expect(await engine.listExists(ns, list)).toBe(false)
        expect(fromUtf8((await engine.get(ns, list))!.value)).toBe('an item')
      })

      test('maxItems is enforced atomically on write and add', async () => {
        await expectCode(engine.listWrite(ns, list, ['1', '2', '3'], { maxItems: 2 }), 'invalid')
        await engine.listWrite(ns, list, ['1', '2'], { maxItems: 3 })
        await expectCode(engine.listAdd(ns, list, ['3', '4'], { maxItems: 3 }), 'invalid')
        expect(await engine.listRead(ns, list)).toEqual(['1', '2'])
        expect(await engine.listAdd(ns, list, ['1', '3'], { maxItems: 3 })).toEqual(['1', '2', '3'])
      })

      test('100 parallel adds of overlapping values: no duplicate, nothing lost', async () => {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            engine.listAdd(ns, list, [String(i % 40), String((i * 7) % 50)]),
          ),
        )
        const values = (await engine.listRead(ns, list)).map(Number)
        expect(new Set(values).size).toBe(values.length)
        const expected = new Set(Array.from({ length: 100 }, (_, i) => [i % 40, (i * 7) % 50]).flat())
        expect(new Set(values)).toEqual(expected)
      })

      test('concurrent adds and removes leave a consistent list', async () => {
        await engine.listWrite(
          ns,
          list,
          Array.from({ length: 50 }, (_, i) => String(i)),
        )
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            i % 2 ? engine.listRemove(ns, list, [String(i)]) : engine.listAdd(ns, list, [String(i + 100)]),
          ),
        )
        const values = (await engine.listRead(ns, list)).map(Number)
        expect(values.length).toBe(50)
        expect(await engine.listCount(ns, list)).toBe(50)
        expect(values.filter((v) => v < 100 && v % 2 === 1)).toEqual([])
      })

      test('a primitive that is not JSON is invalid', async () => {
        await expectCode(engine.listWrite(ns, list, ['{"a":1}']), 'invalid')
        await expectCode(engine.listAdd(ns, list, ['nope']), 'invalid')
      })
    })

    describe('restore (import) and paging list keys (export)', () => {
      const restored = (key: string, value: string, version: number, more: Partial<Entry> = {}): Entry => ({
        key: utf8(key),
        value: utf8(value),
        kind: 'text',
        contentType: 'text/plain',
        metadata: '{"m":1}',
        version,
        updatedAt: 1_000 + version,
        expiresAt: null,
        ...more,
      })

      test('entries are stored with their version, updated time and expiry, and later writes version above them', async () => {
        const expiresAt = clock.now() + 60_000
        const written = await engine.backend.restore(
          ns,
          [restored('a', 'one', 40), restored('b', 'two', 7, { expiresAt, kind: 'json', contentType: null })],
          false,
          clock.now(),
        )
        expect(written).toBe(2)
        const a = await engine.get(ns, utf8('a'))
        expect(a && { ...a, key: keyText(a.key), value: fromUtf8(a.value) }).toEqual({
          key: 'a',
          value: 'one',
          kind: 'text',
          contentType: 'text/plain',
          metadata: '{"m":1}',
          version: 40,
          updatedAt: 1_040,
          expiresAt: null,
        })
        const b = await engine.get(ns, utf8('b'))
        expect([b?.version, b?.updatedAt, b?.expiresAt, b?.kind, b?.contentType]).toEqual([
          7,
          1_007,
          expiresAt,
          'json',
          null,
        ])
        expect((await engine.put(ns, utf8('c'), text('v'))).version).toBeGreaterThan(40)
        clock.advance(60_000)
        expect(await engine.get(ns, utf8('b'))).toBeNull()
        expect(await engine.count(ns)).toBe(2)
      })

      test('without overwrite a live entry is kept; with it, replaced; an expired one is replaced either way', async () => {
        await engine.put(ns, utf8('live'), text('mine'))
        await engine.put(ns, utf8('gone'), text('old'), { ttlMs: 1_000 })
        clock.advance(1_000)
        const page = [restored('live', 'theirs', 3), restored('gone', 'theirs', 4)]
        expect(await engine.backend.restore(ns, page, false, clock.now())).toBe(1)
        expect(fromUtf8((await engine.get(ns, utf8('live')))!.value)).toBe('mine')
        expect(fromUtf8((await engine.get(ns, utf8('gone')))!.value)).toBe('theirs')
        expect(await engine.backend.restore(ns, page, true, clock.now())).toBe(2)
        expect(fromUtf8((await engine.get(ns, utf8('live')))!.value)).toBe('theirs')
        expect(await engine.count(ns)).toBe(2)
      })

      test('list keys page after a given key, within a prefix', async () => {
        for (const key of ['a1', 'a2', 'a3', 'b1']) await engine.listWrite(ns, utf8(key), ['1'])
        const page = (limit: number, after?: string, prefix?: string) =>
          engine.backend
            .listKeys(
              ns,
              prefix === undefined ? undefined : utf8(prefix),
              limit,
              after === undefined ? undefined : utf8(after),
            )
            .then((keys) => keys.map(keyText))
        expect(await page(2)).toEqual(['a1', 'a2'])
        expect(await page(2, 'a2')).toEqual(['a3', 'b1'])
        expect(await page(10, 'a1', 'a')).toEqual(['a2', 'a3'])
        expect(await page(10, '0', 'a')).toEqual(['a1', 'a2', 'a3'])
        expect(await page(10, 'b1')).toEqual([])
      })
    })

    describe('namespaces', () => {
      const dialect = 'conformance'

      test('create, get, update, delete', async () => {
        const created = await engine.namespaces.create({ dialect, settings: { mode: 'public' } })
        expect(created.id).toMatch(/^[A-Za-z0-9]{22}$/)
        expect(await engine.namespaces.get(created.id)).toEqual(created)
        const updated = await engine.namespaces.update<{ mode: string }>(created.id, (ns) => ({
          settings: { ...ns.settings, mode: 'protected' },
        }))
        expect(updated.settings).toEqual({ mode: 'protected' })
        expect(updated.version).toBeGreaterThan(created.version)
        expect(await engine.namespaces.delete(created.id)).toBe(true)
        expect(await engine.namespaces.get(created.id)).toBeNull()
        expect(await engine.namespaces.delete(created.id)).toBe(false)
      })

      test('a version is parsed once: its readers share one frozen namespace', async () => {
        const settings = { mode: 'public', nested: { n: 1 } }
        const created = await engine.namespaces.create({ dialect, settings })
        settings.mode = 'changed by the caller afterwards'
        const first = await engine.namespaces.get(created.id)
        expect(first!.settings).toEqual({ mode: 'public', nested: { n: 1 } })
        expect(await engine.namespaces.get(created.id)).toBe(first)
        expect(Object.isFrozen(first!.settings)).toBe(true)
        expect(Object.isFrozen((first!.settings as { nested: object }).nested)).toBe(true)
        const updated = await engine.namespaces.update(created.id, { settings: { mode: 'private' } })
        const second = await engine.namespaces.get(created.id)
        expect(second).not.toBe(first)
        expect(second).toEqual(updated)
        await engine.namespaces.delete(created.id)
        expect(await engine.namespaces.get(created.id)).toBeNull()
      })

      test('a caller-chosen id is unique', async () => {
        const id = `n${randomString(BASE62, 12)}`
        await engine.namespaces.create({ dialect, id })
        await expectCode(engine.namespaces.create({ dialect, id }), 'conflict')
        await expectCode(engine.namespaces.create({ dialect, id: '_system' }), 'invalid')
        await expectCode(engine.namespaces.create({ dialect, id: 'has space' }), 'invalid')
      })

      test('titles are unique per dialect and owner, on create and on rename', async () => {
        const owner = `acct-${ns}`
        const a = await engine.namespaces.create({ dialect, owner, title: 'alpha' })
        await expectCode(engine.namespaces.create({ dialect, owner, title: 'alpha' }), 'conflict')
        await engine.namespaces.create({ dialect, owner: `${owner}-2`, title: 'alpha' })
        await engine.namespaces.create({ dialect: 'other', owner, title: 'alpha' })
        const b = await engine.namespaces.create({ dialect, owner, title: 'beta' })
        await expectCode(engine.namespaces.update(b.id, { title: 'alpha' }), 'conflict')
        await engine.namespaces.update(a.id, { title: 'gamma' })
        await engine.namespaces.update(b.id, { title: 'alpha' })
        expect((await engine.namespaces.get(b.id))!.title).toBe('alpha')
      })

      test('ifVersion makes an update fail on a concurrent change', async () => {
        const created = await engine.namespaces.create({ dialect, settings: { n: 0 } })
        await engine.namespaces.update(created.id, { settings: { n: 1 } })
        await expectCode(
          engine.namespaces.update(created.id, { settings: { n: 2 } }, { ifVersion: created.version }),
          'conflict',
        )
        await expectCode(engine.namespaces.update('missing', { settings: {} }), 'not_found')
      })

      test('concurrent functional updates lose nothing', async () => {
        const created = await engine.namespaces.create<{ n: number }>({ dialect, settings: { n: 0 } })
        await Promise.all(
          Array.from({ length: 10 }, () =>
            engine.namespaces.update<{ n: number }>(created.id, (ns) => ({
              settings: { n: ns.settings.n + 1 },
            })),
          ),
        )
        expect((await engine.namespaces.get<{ n: number }>(created.id))!.settings.n).toBe(10)
      })

      test('list and count by owner, oldest first', async () => {
        const owner = `acct-${ns}`
        const first = await engine.namespaces.create({ dialect, owner, title: 'one' })
        clock.advance(1)
        const second = await engine.namespaces.create({ dialect, owner, title: 'two' })
        await engine.namespaces.create({ dialect, owner: 'someone-else' })
        expect((await engine.namespaces.list({ dialect, owner })).map((n) => n.id)).toEqual([
          first.id,
          second.id,
        ])
        expect(await engine.namespaces.count({ dialect, owner })).toBe(2)
        await engine.namespaces.delete(first.id)
        expect((await engine.namespaces.list({ dialect, owner })).map((n) => n.id)).toEqual([second.id])
        expect(await engine.namespaces.count({ dialect, owner })).toBe(1)
      })

      test('deleting a namespace removes its entries and lists, and frees its title', async () => {
        const owner = `acct-${ns}`
        const doomed = await engine.namespaces.create({ dialect, owner, title: 'doomed' })
        for (let i = 0; i < 50; i++) await engine.put(doomed.id, utf8(`k${i}`), text('v'))
        await engine.listWrite(doomed.id, utf8('l'), ['1'])
        await engine.namespaces.delete(doomed.id)
        await engine.namespaces.drainDeleted()
        expect(await engine.count(doomed.id)).toBe(0)
        expect(await engine.listExists(doomed.id, utf8('l'))).toBe(false)
        await engine.namespaces.create({ dialect, owner, title: 'doomed' })
      })
    })
  })
}
