// Engine micro-benchmark: ops/s of get, put, scan(100) and increment through the Engine on each
// backend, beside bare prepared SQLite statements (node:sqlite and bun:sqlite) and bare pipelined
// Redis commands (GET, SET, ZRANGEBYLEX, INCR, as redis-benchmark -P would send them) measured in
// the same run as the baselines. Figures are for comparing, never for asserting.
//
//   bun scripts/bench/engine.ts [--seconds 1] [--concurrency 64] [--backends sqlite,redis,redis-cluster]
//
// Redis is REDIS_URL (else 127.0.0.1:6379); the cluster is REDIS_CLUSTER_NODES, else a private one
// started from redis-server for the run. A backend that cannot be reached is left out, with a note.

import { Database } from 'bun:sqlite'
import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { parseArgs } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import type { Backend } from '../../core/engine/backend.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import {
  clusterNodes,
  dropPrefix,
  type RedisTarget,
  redisUrl,
  requireRedis,
} from '../../test/support/redis.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' },
    backends: { type: 'string', default: 'sqlite,redis,redis-cluster' },
  },
})
const BACKENDS = values.backends.split(',')
const notes: string[] = []
const SECONDS = Number(values.seconds)
const CONCURRENCY = Number(values.concurrency)
const KEYS = 10_000
const VALUE = new Uint8Array(1024).fill(97)
const keyOf = (i: number) => utf8(`bench:${String(i).padStart(6, '0')}`)
const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-'))

/** Runs `op` from `CONCURRENCY` loops for SECONDS and returns ops per second. */
async function measure(op: (i: number) => unknown): Promise<number> {
  let done = 0
  const deadline = performance.now() + SECONDS * 1000
  const loop = async () => {
    while (performance.now() < deadline) await op(done++)
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  return done / ((performance.now() - started) / 1000)
}

type Row = { target: string; get: number; put: number; scan100: number; increment: number }
const rows: Row[] = []

async function benchEngine(name: string, backend: Backend): Promise<void> {
  const engine = new Engine(backend, { sweepIntervalMs: 0 })
  const ns = `bench${Date.now()}`
  for (let i = 0; i < KEYS; i += 1000) {
    await engine.batch(
      ns,
      Array.from({ length: 1000 }, (_, j) => ({
        type: 'put' as const,
        key: keyOf(i + j),
        value: { bytes: VALUE },
      })),
    )
  }
  const prefix = utf8('bench:001')
  rows.push({
    target: `engine on ${name}`,
    get: await measure((i) => engine.get(ns, keyOf((i * 7919) % KEYS))),
    put: await measure((i) => engine.put(ns, keyOf((i * 7919) % KEYS), { bytes: VALUE })),
    scan100: await measure(() => engine.scan(ns, { prefix, limit: 100 })),
    increment: await measure(() => engine.increment(ns, utf8('counter'), 1n)),
  })
  await engine.close()
}

/** The floor under every backend: one prepared statement per operation, one autocommit per write. */
function benchRaw(
  name: string,
  db: { exec(sql: string): unknown; prepare(sql: string): any },
): Promise<void> {
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL')
  db.exec('CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB)')
  const put = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v')
  const get = db.prepare('SELECT v FROM kv WHERE k = ?')
  const scan = db.prepare('SELECT k FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT 100')
  const bump = db.prepare(
    "INSERT INTO kv (k, v) VALUES ('counter', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1 RETURNING v",
  )
  db.exec('BEGIN')
  for (let i = 0; i < KEYS; i++) put.run(keyOf(i), VALUE)
  db.exec('COMMIT')
  const [lower, upper] = [utf8('bench:001'), utf8('bench:002')]
  return (async () => {
    rows.push({
      target: `raw ${name}`,
      get: await measure((i) => get.get(keyOf((i * 7919) % KEYS))),
      put: await measure((i) => put.run(keyOf((i * 7919) % KEYS), VALUE)),
      scan100: await measure(() => scan.all(lower, upper)),
      increment: await measure(() => bump.get()),
    })
  })()
}

/** The floor under the Redis backend: one plain command per operation, auto-pipelined. */
async function benchRawRedis(name: string, client: Redis | Cluster, prefix: string): Promise<void> {
  const tag = `${prefix}{raw}`
  const keyOf = (i: number) => `${tag}:bench:${String(i).padStart(6, '0')}`
  const index = `${tag}:index`
  const value = Buffer.from(VALUE)
  for (let i = 0; i < KEYS; i += 1000) {
    await Promise.all(
      Array.from({ length: 1000 }, (_, j) =>
        Promise.all([
          client.set(keyOf(i + j), value),
          client.zadd(index, 0, `bench:${String(i + j).padStart(6, '0')}`),
        ]),
      ),
    )
  }
  rows.push({
    target: `raw ${name}`,
    get: await measure((i) => client.getBuffer(keyOf((i * 7919) % KEYS))),
    put: await measure((i) => client.set(keyOf((i * 7919) % KEYS), value)),
    scan100: await measure(() => client.zrangebylex(index, '[bench:001', '(bench:002', 'LIMIT', 0, 100)),
    increment: await measure(() => client.incr(`${tag}:counter`)),
  })
}

async function benchRedis(name: 'redis' | 'redis-cluster'): Promise<void> {
  const nodes = name === 'redis-cluster' ? clusterNodes() : null
  const target: RedisTarget | null = name === 'redis' ? { url: redisUrl() } : nodes ? { nodes } : null
  if (!target || !(await requireRedis(name, target).catch(() => false))) {
    notes.push(`${name}: left out (not reachable)`)
    return
  }
  const prefix = `kvgate-bench:${Date.now()}:`
  const options = { enableAutoPipelining: true }
  const client =
    'url' in target
      ? new Redis(target.url, options)
      : new Cluster(
          target.nodes.map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) })),
          options,
        )
  try {
    await benchRawRedis(name, client, prefix)
    await benchEngine(
      name,
      new RedisBackend(
        'url' in target ? { url: target.url, prefix } : { clusterNodes: target.nodes, prefix },
      ),
    )
  } finally {
    client.disconnect()
    await dropPrefix(target, prefix)
  }
}

if (BACKENDS.includes('sqlite')) {
  await benchRaw('node:sqlite', new DatabaseSync(join(dir, 'raw-node.db')))
  await benchRaw('bun:sqlite', new Database(join(dir, 'raw-bun.db')))
  await benchEngine('sqlite', new SqliteBackend({ path: join(dir, 'engine.db') }))
}
if (BACKENDS.includes('redis')) await benchRedis('redis')
if (BACKENDS.includes('redis-cluster')) await benchRedis('redis-cluster')

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10)
console.log(
  `kvgate engine benchmark: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `${SECONDS}s per figure, ${CONCURRENCY} concurrent callers, 1 KiB values, ${KEYS.toLocaleString('en-US')} keys`,
)
console.log(
  `${'target'.padEnd(24)}${'get/s'.padStart(10)}${'put/s'.padStart(10)}${'scan100/s'.padStart(10)}${'incr/s'.padStart(10)}`,
)
for (const row of rows) {
  console.log(
    `${row.target.padEnd(24)}${format(row.get)}${format(row.put)}${format(row.scan100)}${format(row.increment)}`,
  )
}
for (const note of notes) console.log(note)
