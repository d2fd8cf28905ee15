// Export and import rates (keys/s) on each backend, and what an export costs a server serving the
// same store: GET req/s through KVdb with exports running back to back, against GET req/s without,
// measured in the same run. Figures are noisy (a shared machine) and for comparing, never asserted.
//
//   bun scripts/bench/export.ts            (BENCH_EXPORT_KEYS, default 20000; 1000000 for the issue's figure)
//   BENCH_DURATION=2 BENCH_BACKENDS=sqlite,redis bun scripts/bench/export.ts
//
// Values are 100 bytes. The rates are the real commands' (`kvgate export --out`, `kvgate import`
// in child processes, their JSON summaries read); the exports under load run in this process
// (another process than the server's, as the command would be) back to back, output discarded.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyExportStats, exportDump } from '../../core/data/exporter.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { dropPrefix, redisUrl, requireRedis } from '../../test/support/redis.ts'
import { answers, freePort, peakRss, startChild, stopChild, waitFor, which } from './processes.ts'
import { runWrk, type WrkResult } from './wrk.ts'

const KEYS = Number(process.env.BENCH_EXPORT_KEYS ?? 20_000)
const SECONDS = Number(process.env.BENCH_DURATION ?? 2)
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,redis').split(',')
const MAIN = join(import.meta.dir, '../../core/main.ts')
const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-export-'))
const runId = Date.now().toString(36)
const ROUNDS = 3
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

interface Store {
  name: string
  /** Flags that point kvgate at it. */
  flags: string[]
  env: Record<string, string>
  engine(): Engine
  drop(): Promise<void>
}

function sqliteStore(name: string): Store {
  const path = join(dir, `${name}.db`)
  return {
    name: 'sqlite',
    flags: ['--data', path],
    env: {},
    engine: () => new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 }),
    drop: async () => rmSync(path, { force: true }),
  }
}

function redisStore(name: string): Store {
  const url = redisUrl()
  const prefix = `bench-export-${runId}-${name}:`
  return {
    name: 'redis',
    flags: ['--redis-url', url],
    env: { KVGATE_REDIS_PREFIX: prefix },
    engine: () => new Engine(new RedisBackend({ url, prefix, timeoutMs: 30_000 }), { sweepIntervalMs: 0 }),
    drop: () => dropPrefix({ url }, prefix),
  }
}

async function kvgate(args: string[], store: Store): Promise<Record<string, unknown>> {
  const child = Bun.spawn([process.execPath, MAIN, ...args, ...store.flags], {
    env: { ...process.env, ...store.env, KVGATE_LOG: 'silent' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Peak memory, read while it runs (VmHWM): flat whatever the number of keys, if streaming works.
  let peak = 0
  const watch = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid) ?? 0)
  }, 20)
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  clearInterval(watch)
  if (code !== 0) throw new Error(`kvgate ${args.join(' ')} failed (${code}): ${stderr}`)
  return { ...JSON.parse(stdout.trim().split('\n').at(-1)!), peak_rss_mib: Math.round(peak / 2 ** 20) }
}

/** A KVdb bucket with KEYS entries, written through the engine in batches. */
async function seed(store: Store): Promise<string> {
  const engine = store.engine()
  const { id } = await engine.namespaces.create({
    dialect: 'kvdb',
    settings: {
      salt: 'benchsalt0000000',
      secretKey: null,
      writeKey: null,
      readKey: null,
      signingKey: null,
      defaultTtl: 0,
    },
  })
  const value = utf8('v'.repeat(100))
  for (let i = 0; i < KEYS; i += 5000) {
    const ops = []
    for (let j = i; j < Math.min(i + 5000, KEYS); j++) {
      ops.push({
        type: 'put' as const,
        key: utf8(`key:${String(j).padStart(7, '0')}`),
        value: { bytes: value },
      })
    }
    await engine.batch(id, ops)
  }
  await engine.close()
  return id
}

async function serving(store: Store, bucket: string, during: () => Promise<unknown>) {
  const port = freePort()
  const child = startChild(
    [process.execPath, MAIN, '--port', String(port), '--host', '127.0.0.1', ...store.flags],
    {
      env: { ...store.env, KVGATE_LOG: 'silent' },
      logFile: join(dir, `server-${store.name}.log`),
    },
  )
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor('kvgate', answers(`${url}/healthz`), 15_000)
    const requests = Array.from({ length: 200 }, (_, i) => ({
      method: 'GET',
      path: `/kvdb/${bucket}/key:${String(Math.floor((i * KEYS) / 200)).padStart(7, '0')}`,
    }))
    const load = () => runWrk({ url, requests, seconds: SECONDS, connections: 32, threads: 1 })
    // Idle and loaded phases alternate, three of each, and the medians are kept: other work on a
    // shared machine then weighs on both alike.
    const idle: WrkResult[] = []
    const loaded: WrkResult[] = []
    let exports = 0
    for (let round = 0; round < ROUNDS; round++) {
      idle.push(await load())
      busy = true
      const background = (async () => {
        while (busy) {
          await during()
          exports++
        }
      })()
      loaded.push(await load())
      busy = false
      await background
    }
    return {
      idle: median(idle.map((r) => r.rps)),
      busy: median(loaded.map((r) => r.rps)),
      p99Idle: median(idle.map((r) => r.p99Ms)),
      p99Busy: median(loaded.map((r) => r.p99Ms)),
      exports,
    }
  } finally {
    await stopChild(child)
  }
}

/** True while the loaded phase runs: exports go on back to back until it ends. */
let busy = false
const rows: string[] = []
for (const name of BACKENDS) {
  if (name === 'redis' && !(await requireRedis('redis', redisUrl()))) {
    rows.push(`| ${name} | not reachable | | | | | |`)
    continue
  }
  const make = name === 'redis' ? redisStore : sqliteStore
  const source = make('source')
  const target = make('target')
  try {
    const started = performance.now()
    const bucket = await seed(source)
    console.error(`${name}: seeded ${KEYS} keys in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    const file = join(dir, `${name}.jsonl`)
    const exported = await kvgate(['export', '--out', file], source)
    const imported = await kvgate(['import', file], target)
    console.error(`${name}: export ${JSON.stringify(exported)}\n${name}: import ${JSON.stringify(imported)}`)
    const reader = source.engine()
    const load = which('wrk')
      ? await serving(source, bucket, async () => {
          // In this process, so the loaded phase is all export (a child would spend part of it starting).
          for await (const _chunk of exportDump(reader, {}, emptyExportStats())) if (!busy) break
        })
      : null
    await reader.close()
    rows.push(
      `| ${name} | ${KEYS.toLocaleString('en')} | ${Number(exported.keys_per_second).toLocaleString('en')} | ${Number(imported.keys_per_second).toLocaleString('en')} | ${exported.peak_rss_mib} / ${imported.peak_rss_mib} | ${
        load
          ? `${Math.round(load.idle).toLocaleString('en')} -> ${Math.round(load.busy).toLocaleString('en')} (${(((load.busy - load.idle) / load.idle) * 100).toFixed(0)}%), p99 ${load.p99Idle.toFixed(1)} -> ${load.p99Busy.toFixed(1)} ms, ${load.exports} exports`
          : 'wrk not installed'
      } |`,
    )
  } finally {
    await source.drop()
    await target.drop()
  }
}

console.log(`Export and import, ${KEYS.toLocaleString('en')} keys of 100-byte values, GET load: medians of ${ROUNDS} alternating phases of ${SECONDS} s each, 32 connections (noisy: shared machine)

| backend | keys | export keys/s | import keys/s | peak RSS export / import (MiB) | GET req/s idle -> during exports |
|---|---:|---:|---:|---:|---|
${rows.join('\n')}`)
rmSync(dir, { recursive: true, force: true })
process.exit(0)
