// The change log's cost per write, measured in one process through the Engine (no HTTP): PUTs of
// 1 KiB at a concurrency of 64 on two engines of the same store, one with the change log and one
// without, in short alternating slices so that the machine's other load falls on both alike. Part
// of `npm run bench:watch` (BENCH_WATCH_PARTS=engine); printed, never asserted.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Backend } from '../../core/engine/backend.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'

const SLICE_MS = 300
const SLICES = Number(process.env.BENCH_WATCH_SLICES ?? 10)
const CONCURRENCY = 64
const VALUE = { bytes: utf8('v'.repeat(1024)) }

/** Puts per second on `engine` during one slice. */
async function slice(engine: Engine, ns: string): Promise<number> {
  let done = 0
  const until = performance.now() + SLICE_MS
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; performance.now() < until; i++) {
        await engine.put(ns, utf8(`k${worker}-${i % 100}`), VALUE)
        done++
      }
    }),
  )
  return (done * 1000) / SLICE_MS
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** The table row of one store: median puts/s with the log off and on, and their ratio. */
export async function changeLogCost(
  store: 'sqlite' | 'redis',
  redisUrl: string,
  prefix: string,
): Promise<string> {
  const open = (on: boolean): Backend => {
    const changeLog = on ? undefined : null
    if (store === 'redis') return new RedisBackend({ url: redisUrl, prefix, changeLog })
    const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-log-'))
    return new SqliteBackend({ path: join(dir, 'db.sqlite'), changeLog })
  }
  const off = new Engine(open(false), { sweepIntervalMs: 0 })
  const on = new Engine(open(true), { sweepIntervalMs: 0 })
  const rates = { off: [] as number[], on: [] as number[] }
  try {
    await slice(off, 'bench-off')
    await slice(on, 'bench-on')
    for (let i = 0; i < SLICES; i++) {
      // Alternate which goes first, so neither always follows the other's fsyncs.
      const order = i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)
      for (const which of order) rates[which].push(await slice(which === 'on' ? on : off, `bench-${which}`))
    }
  } finally {
    await Promise.all([off.close(), on.close()])
  }
  const [a, b] = [median(rates.off), median(rates.on)]
  return `| ${store} | ${Math.round(a).toLocaleString('en-US')} | ${Math.round(b).toLocaleString('en-US')} | ${((100 * b) / a).toFixed(0)}% |`
}
