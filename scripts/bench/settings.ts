// Benchmark settings, from the environment; the defaults keep a full run under ten minutes.
//   BENCH_DURATION=3 BENCH_WARMUP=1 BENCH_CONNECTIONS=64 BENCH_THREADS=2 BENCH_LIST_KEYS=1000000
//   BENCH_BACKENDS=sqlite,redis,cluster BENCH_PEERS=webdis,etcd BENCH_SCENARIOS=get-hit,...
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 BENCH_OUT=docs (where benchmarks.md and .svg go)
//   BENCH_COLD_START=1 (0 skips building the binary and the Bun.serve baseline it is measured against;
//   `bun scripts/bench/cold-start.ts` runs that section alone)
//   BENCH_LIST_EVERY_DIALECT=sqlite BENCH_LIST_DIALECT=kvdb (who lists from a loaded namespace where)

import { join } from 'node:path'
import { SCENARIOS, type ScenarioName } from './scenarios.ts'

const list = (name: string, fallback: string[]) => {
  const text = process.env[name]
  // Unset means the default; set but empty means none (BENCH_PEERS= runs no peer).
  return text === undefined
    ? fallback
    : text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
}
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`)
  return value
}

export const settings = {
  seconds: number('BENCH_DURATION', 3),
  warmupSeconds: number('BENCH_WARMUP', 1),
  connections: number('BENCH_CONNECTIONS', 64),
  threads: number('BENCH_THREADS', 2),
  listKeys: number('BENCH_LIST_KEYS', 1_000_000),
  backends: list('BENCH_BACKENDS', ['sqlite', 'redis', 'cluster']),
  peers: list('BENCH_PEERS', ['webdis', 'etcd']),
  scenarios: list(
    'BENCH_SCENARIOS',
    SCENARIOS.map((scenario) => scenario.name),
  ) as ScenarioName[],
  dialects: list('BENCH_DIALECTS', []),
  /**
   * Backends where every dialect lists from a namespace of its own with listKeys keys; elsewhere only
   * listDialect does (on Redis, 1M keys take ~26 s and ~330 MB per namespace to load).
   */
  listEveryDialect: list('BENCH_LIST_EVERY_DIALECT', ['sqlite']),
  listDialect: process.env.BENCH_LIST_DIALECT ?? 'kvdb',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  /** Every key this run puts on a Redis starts with it; it is deleted at the end. */
  redisPrefix: `kvgate-bench:${Date.now()}:`,
  out: process.env.BENCH_OUT ?? join(import.meta.dir, '../../docs'),
  coldStart: number('BENCH_COLD_START', 1) !== 0,
}

export type Settings = typeof settings
