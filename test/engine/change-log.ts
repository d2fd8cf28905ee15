// The change log's conformance suite (the watch feed's store side), run against every backend:
// what each mutation records, in order, in the same atomic unit; retention by count and by age
// answered with a reset; listeners hearing committed changes; and the switch that turns it off.

import { afterAll, describe, expect, test } from 'bun:test'
import type { Backend } from '../../core/engine/backend.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import type { Change, ChangeLogOptions } from '../../core/engine/changes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { BASE62, randomString } from '../../core/ids.ts'
import { ManualClock } from '../support/manual-clock.ts'

export interface ChangeLogTarget {
  /** A fresh backend on the store under test, with this change log (null: off). */
  backend: (changeLog?: ChangeLogOptions | null) => Backend
  /** Whether a second backend on the same store hears the first one's writes (Redis: yes). */
  shared: boolean
}

const text = (value: string) => ({ bytes: utf8(value) })
const summary = (changes: Change[]) =>
  changes.map(
    (change) => `${change.revision} ${change.type} ${fromUtf8(change.key)} ${change.version ?? '-'}`,
  )

/** The next batch of changes the engine's listener hears for a namespace. */
function nextChanges(engine: Engine, ns: string, count: number): Promise<Change[]> {
  const heard: Change[] = []
  return new Promise((resolve) => {
    const stop = engine.subscribe(ns, (changes) => {
      heard.push(...changes)
      if (heard.length >= count) {
        stop()
        resolve(heard)
      }
    })
  })
}

export function changeLogConformance(name: string, target: ChangeLogTarget): void {
  describe(`change log: ${name}`, () => {
    const engines: Engine[] = []
    const open = (changeLog?: ChangeLogOptions | null, clock = new ManualClock()) => {
      const engine = new Engine(target.backend(changeLog), { clock, sweepIntervalMs: 0 })
      engines.push(engine)
      return engine
    }
    const namespace = () => `w${randomString(BASE62, 16)}`

    afterAll(async () => {
      for (const each of engines) await each.close()
    })

    test('every mutation is recorded in order, with one revision each', async () => {
      const engine = open()
      const ns = namespace()
      expect(await engine.changes(ns, 0)).toEqual({ changes: [], head: 0, reset: false })
      const first = await engine.put(ns, utf8('a'), text('1'))
      await engine.put(ns, utf8('b'), text('2'), { ttlMs: 60_000 })
      await engine.increment(ns, utf8('n'), 5n)
      await engine.delete(ns, utf8('a'))
      expect(await engine.delete(ns, utf8('missing'))).toBe(false)
      await engine.batch(ns, [
        { type: 'put', key: utf8('c'), value: text('3') },
        { type: 'delete', key: utf8('b') },
        { type: 'check', key: utf8('n'), exists: true },
      ])
      const page = await engine.changes(ns, 0)
      expect(page.reset).toBe(false)
      expect(page.head).toBe(6)
      expect(summary(page.changes)).toEqual([
        `1 put a ${first.version}`,
        `2 put b ${first.version + 1}`,
        `3 put n ${first.version + 2}`,
        '4 delete a -',
        `5 put c ${first.version + 3}`,
        '6 delete b -',
      ])
      expect(page.changes[1]!.expiresAt).toBe(engine.clock.now() + 60_000)
      expect(summary((await engine.changes(ns, 4)).changes)).toEqual([
        `5 put c ${first.version + 3}`,
        '6 delete b -',
      ])
      expect((await engine.changes(ns, 2, 2)).changes.map((change) => change.revision)).toEqual([3, 4])
    })

    test('a write that fails its condition records nothing', async () => {
      const engine = open()
      const ns = namespace()
      await engine.put(ns, utf8('a'), text('1'))
      await engine.put(ns, utf8('a'), text('2'), { ifAbsent: true }).catch(() => {})
      await engine
        .batch(ns, [
          { type: 'put', key: utf8('b'), value: text('1') },
          { type: 'check', key: utf8('zz'), exists: true },
        ])
        .catch(() => {})
      expect((await engine.changes(ns, 0)).head).toBe(1)
    })

    test('the sweeper records each entry it removes as an expiry', async () => {
      const clock = new ManualClock()
      const engine = open(undefined, clock)
      const ns = namespace()
      await engine.put(ns, utf8('short'), text('1'), { ttlMs: 1000 })
      clock.advance(2000)
      await engine.maintain()
      const changes = (await engine.changes(ns, 1)).changes
      expect(summary(changes)).toEqual(['2 expire short -'])
    })

    test('records beyond the count kept are gone: reading from before them answers reset', async () => {
      const engine = open({ maxEntries: 5, maxAgeMs: 3600_000 })
      const ns = namespace()
      for (let i = 0; i < 10; i++) await engine.put(ns, utf8(`k${i}`), text(String(i)))
      expect(await engine.changes(ns, 2)).toEqual({ changes: [], head: 10, reset: true })
      expect((await engine.changes(ns, 5)).changes.map((change) => change.revision)).toEqual([6, 7, 8, 9, 10])
      expect(await engine.changes(ns, 10)).toEqual({ changes: [], head: 10, reset: false })
      // A revision from the future (another store, or a namespace made again) is a reset too.
      expect((await engine.changes(ns, 11)).reset).toBe(true)
    })

    test('records older than the age kept are dropped as later writes come', async () => {
      const clock = new ManualClock()
      const engine = open({ maxEntries: 10_000, maxAgeMs: 1000 }, clock)
      const ns = namespace()
      for (let i = 0; i < 10; i++) await engine.put(ns, utf8(`old${i}`), text('x'))
      clock.advance(5000)
      for (let i = 0; i < 60; i++) await engine.put(ns, utf8(`new${i}`), text('x'))
      expect((await engine.changes(ns, 0)).reset).toBe(true)
      const kept = await engine.changes(ns, 10)
      expect(kept.reset).toBe(false)
      expect(kept.changes.length).toBe(60)
    })

    test('a listener hears committed changes, and nothing once stopped', async () => {
      const engine = open()
      const ns = namespace()
      const heard = nextChanges(engine, ns, 3)
      await engine.put(ns, utf8('a'), text('1'))
      await engine.batch(ns, [
        { type: 'put', key: utf8('b'), value: text('2') },
        { type: 'delete', key: utf8('a') },
      ])
      expect(summary(await heard).map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
        '1 put a',
        '2 put b',
        '3 delete a',
      ])
      let late = 0
      engine.subscribe(ns, () => late++)()
      const delivered = nextChanges(engine, ns, 1)
      await engine.put(ns, utf8('c'), text('3'))
      expect((await delivered)[0]!.revision).toBe(4)
      expect(late).toBe(0)
    })

    test.skipIf(!target.shared)(
      'a listener on another backend of the same store hears the writes',
      async () => {
        const writer = open()
        const watcher = open()
        const ns = namespace()
        await writer.put(ns, utf8('before'), text('0'))
        const heard = nextChanges(watcher, ns, 2)
        // The watcher's reader starts from the head it finds: wait until it is in place.
        await new Promise((resolve) => setTimeout(resolve, 100))
        await writer.put(ns, utf8('a'), text('1'))
        await writer.delete(ns, utf8('a'))
        expect((await heard).map((change) => `${change.revision} ${change.type}`)).toEqual([
          '2 put',
          '3 delete',
        ])
      },
    )

    test('switched off, nothing is logged and the log cannot be read', async () => {
      const engine = open(null)
      const ns = namespace()
      expect(engine.logsChanges).toBe(false)
      await engine.put(ns, utf8('a'), text('1'))
      const error = await engine.changes(ns, 0).catch((each) => each)
      expect([error.code, error.reason]).toEqual(['unavailable', 'change-log-off'])
    })
  })
}
