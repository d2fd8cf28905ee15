// Script sandbox benchmark: runs per second of a trivial script and of one doing 10 kvdb.get calls
// against a real Engine on SQLite, beside the same work done from JavaScript without Lua, measured in
// the same run as the baseline. Figures are for comparing, never for asserting.
//
//   bun scripts/bench/scripting.ts [--seconds 2] [--concurrency 16]

import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { type ScriptHost, ScriptSandbox } from '../../core/scripting/sandbox.ts'

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '16' } },
})
const SECONDS = Number(values.seconds)
const CONCURRENCY = Number(values.concurrency)

const engine = new Engine(
  new SqliteBackend({ path: join(mkdtempSync(join(tmpdir(), 'kvgate-bench-')), 'kv.db') }),
  {
    sweepIntervalMs: 0,
  },
)
const ns = 'bench'
for (let i = 0; i < 10; i++)
  await engine.put(ns, utf8(`key:${i}`), { bytes: utf8(`value ${i}`), kind: 'text' })

const unsupported = async (): Promise<never> => {
  throw new Error('not used by the benchmark')
}
const host: ScriptHost = {
  async get(key) {
    return (await engine.get(ns, key))?.value ?? null
  },
  set: unsupported,
  delete: unsupported,
  incr: unsupported,
  list: unsupported,
}

const sandbox = new ScriptSandbox({ poolSize: CONCURRENCY })
const request = {
  query: new URLSearchParams(),
  headers: new Headers(),
  body: new Uint8Array(),
  remoteAddr: '127.0.0.1',
}
const trivial = { id: 'trivial', version: 1, name: 'trivial', source: 'kvdb.print("ok")' }
const tenGets = {
  id: 'ten-gets',
  version: 1,
  name: 'ten-gets',
  source: 'local n = 0 for i = 0, 9 do n = n + #kvdb.get("key:" .. i) end kvdb.print(n)',
}

/** Runs `op` from CONCURRENCY loops for SECONDS and returns runs per second. */
async function measure(op: () => Promise<unknown>): Promise<number> {
  let done = 0
  const deadline = performance.now() + SECONDS * 1000
  const loop = async () => {
    while (performance.now() < deadline) {
      await op()
      done++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  return done / ((performance.now() - started) / 1000)
}

const keys = Array.from({ length: 10 }, (_, i) => utf8(`key:${i}`))
const rows: Array<[string, number]> = []
// Warm up: create the states and compile both scripts on each.
await Promise.all(Array.from({ length: CONCURRENCY }, () => sandbox.run(trivial, request, host)))
await Promise.all(Array.from({ length: CONCURRENCY }, () => sandbox.run(tenGets, request, host)))
rows.push([
  'baseline: 10 engine.get from JS',
  await measure(async () => {
    for (const key of keys) await host.get(key)
  }),
])
rows.push(['trivial script', await measure(() => sandbox.run(trivial, request, host))])
rows.push(['script with 10 kvdb.get', await measure(() => sandbox.run(tenGets, request, host))])
sandbox.close()
await engine.close()

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10)
const baseline = rows[0]?.[1] ?? 1
console.log(
  `kvgate scripting benchmark: ${cpus().length} cores, ${SECONDS}s per figure, ${CONCURRENCY} concurrent callers, ` +
    'engine on SQLite',
)
console.log(`${'target'.padEnd(34)}${'runs/s'.padStart(10)}${'vs baseline'.padStart(13)}`)
for (const [target, rate] of rows) {
  console.log(`${target.padEnd(34)}${format(rate)}${`${(rate / baseline).toFixed(2)}x`.padStart(13)}`)
}
