// Loads the listing keys (k:0000000 ...) into namespaces through the Engine, in batches, on the
// store the environment names (KVGATE_DATA, REDIS_URL or REDIS_CLUSTER_NODES), and prints one JSON
// line per namespace with the seconds it took. Run as a child so its memory is not the bench's.
//
//   bun scripts/bench/load.ts COUNT NAMESPACE...

import { loadConfig } from '../../core/config.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { listKey } from './scenarios.ts'

const BATCH = 5000
const [count, ...namespaces] = process.argv.slice(2)
const total = Number(count)
const config = loadConfig({ env: process.env, argv: [], dialects: [] })
const engine = new Engine(openBackend(config.store), { sweepIntervalMs: 0 })
const value = { bytes: utf8('x'.repeat(32)) }

for (const ns of namespaces) {
  if (!(await engine.namespaces.get(ns))) throw new Error(`namespace ${ns} does not exist`)
  const started = performance.now()
  for (let from = 0; from < total; from += BATCH) {
    const size = Math.min(BATCH, total - from)
    await engine.batch(
      ns,
      Array.from({ length: size }, (_, i) => ({ type: 'put' as const, key: utf8(listKey(from + i)), value })),
    )
  }
  console.log(JSON.stringify({ namespace: ns, keys: total, seconds: (performance.now() - started) / 1000 }))
}
await engine.close()
