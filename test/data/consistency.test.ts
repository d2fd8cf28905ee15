// Each namespace of a dump is one snapshot, while writes go on: on SQLite through a read transaction
// (another connection keeps writing), on Redis through the change-mark fence (a block read while the
// namespace changed is discarded and read again). Every write below changes a pair of keys together,
// so a dump that mixed two moments would hold a pair that disagrees.

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyExportStats, exportDump } from '../../core/data/exporter.ts'
import { readLine } from '../../core/data/format.ts'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const PAIRS = 700 // 1,400 entries: three scan pages

async function writePair(engine: Engine, ns: string, pair: number, value: string): Promise<void> {
  await engine.batch(ns, [
    { type: 'put', key: utf8(`a${pair}`), value: { bytes: utf8(value) } },
    { type: 'put', key: utf8(`b${pair}`), value: { bytes: utf8(value) } },
  ])
}

async function prepare(engine: Engine): Promise<string> {
  const { id } = await engine.namespaces.create({ dialect: 'kvdb' })
  for (let pair = 0; pair < PAIRS; pair++) await writePair(engine, id, pair, 'start')
  return id
}

/** Exports, calling `during` after each chunk; returns the lines and whether the pairs agree in every block. */
async function exportWhile(engine: Engine, ns: string, during: () => Promise<void>) {
  const stats = emptyExportStats()
  let text = ''
  for await (const chunk of exportDump(engine, { namespace: ns }, stats)) {
    text += chunk
    await during()
  }
  const lines = text.split('\n').filter(Boolean)
  // The last block of each namespace is the one an import keeps.
  const values = new Map<string, string>()
  for (const [index, line] of lines.entries()) {
    if (index === 0) continue
    const record = readLine(line, index + 1)
    if (record.type === 'namespace' || record.type === 'discard') values.clear()
    if (record.type === 'entry') values.set(fromUtf8(record.entry.key), fromUtf8(record.entry.value))
    if (record.type === 'end') break
  }
  const disagree = [...values].filter(
    ([key, value]) => key.startsWith('a') && values.get(`b${key.slice(1)}`) !== value,
  )
  return { lines, stats, disagree, entries: values.size }
}

test('SQLite: another connection writing meanwhile never shows in the dump', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-snapshot-')), 'store.db')
  const writer = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const reader = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  try {
    const ns = await prepare(writer)
    let round = 0
    const { stats, disagree, entries, lines } = await exportWhile(reader, ns, async () => {
      round++
      for (let pair = 0; pair < PAIRS; pair += 7) await writePair(writer, ns, pair, `round ${round}`)
      await writer.put(ns, utf8(`new${round}`), { bytes: utf8('x') })
    })
    expect(round).toBeGreaterThan(2)
    expect(stats).toMatchObject({ consistency: 'snapshot', complete: true, inconsistent: [] })
    expect(disagree).toEqual([])
    expect(entries).toBe(PAIRS * 2)
    expect(lines.some((line) => line.includes('round'))).toBe(false)
  } finally {
    await writer.close()
    await reader.close()
  }
})

/** The end line of a namespace's last block. */
function endOf(lines: string[], ns: string): string | undefined {
  const start = lines.findLastIndex((line) => line.includes(`"type":"namespace","id":"${ns}"`))
  return lines.slice(start).find((line) => line.startsWith('{"type":"end"'))
}

const url = redisUrl()
describe.skipIf(!(await requireRedis('redis', url)))('Redis: the change-mark fence', () => {
  const prefix = testPrefix()
  const engine = new Engine(new RedisBackend({ url, prefix }), { sweepIntervalMs: 0 })
  afterAll(async () => {
    await engine.close()
    await dropPrefix({ url }, prefix)
  })

  test('a namespace written to while it is read is discarded and read again', async () => {
    const ns = await prepare(engine)
    let writes = 2
    const { lines, stats, disagree, entries } = await exportWhile(engine, ns, async () => {
      if (writes-- > 0) await writePair(engine, ns, 350, `write ${writes}`)
    })
    expect(lines.filter((line) => line === '{"type":"discard"}').length).toBeGreaterThanOrEqual(1)
    expect(stats).toMatchObject({
      consistency: 'fence',
      complete: true,
      inconsistent: [],
      entries: PAIRS * 2,
    })
    expect(disagree).toEqual([])
    expect(entries).toBe(PAIRS * 2)
    expect(endOf(lines, ns)).toBe('{"type":"end","entries":1400,"lists":0}')
  })

  test('one written to during every read is exported from its last read and named inconsistent', async () => {
    const ns = await prepare(engine)
    let round = 0
    const { lines, stats } = await exportWhile(engine, ns, async () => {
      await writePair(engine, ns, round++ % PAIRS, 'busy')
    })
    expect(lines.filter((line) => line === '{"type":"discard"}')).toHaveLength(2)
    expect(stats.inconsistent).toEqual([ns])
    expect(endOf(lines, ns)).toContain('"consistent":false')
  })
})
