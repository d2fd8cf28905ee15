// `npm run bench:redis`: what the near cache and the Redis layout cost and give, in one run.
//   1. KVdb through kvgate on Redis with the near cache off and on: GET hit, GET miss, PUT, and a
//      listing of 100 of BENCH_LIST_KEYS keys (wrk, as `npm run bench` measures them).
//   2. Coherence: process A writes a key, process B reads it in a loop; the delay from A's answer
//      until B first answers the new value (p50 / p99 over BENCH_COHERENCE_WRITES writes).
//   4. Peak RSS of a kvgate with a 16 MiB near cache reading BENCH_RSS_KEYS keys of 1 KiB, twice.
//   3. Redis memory per key: BENCH_MEMORY_KEYS keys of 32-byte values through kvgate's engine beside
//      plain SETs of the same keys, each on an empty private Redis (used_memory), with load rates.
// Figures are printed, never asserted; the machine is shared, so read the ratios, not the figures.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import { DEFAULT_NEAR_CACHE_BYTES } from '../../core/engine/redis/near-cache.ts'
import { privateRedis, redisServerInstalled } from '../../test/support/redis.ts'
import { type BackendPlan, planBackend } from './backends.ts'
import { kvdb } from './dialects/kvdb.ts'
import { measure, type Row } from './measure.ts'
import { ensureInstalled, peakRss, run, stopAll } from './processes.ts'
import { listKey, requestsFor, SCENARIOS } from './scenarios.ts'
import { seed } from './seed.ts'
import { settings } from './settings.ts'
import { startKvgate } from './targets/kvgate.ts'

const LIST_KEYS = Number(process.env.BENCH_LIST_KEYS ?? 100_000)
const WRITES = Number(process.env.BENCH_COHERENCE_WRITES ?? 500)
const MEMORY_KEYS = Number(process.env.BENCH_MEMORY_KEYS ?? 100_000)
const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-redis-'))
const log = (line: string) => console.log(line)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** KVdb through kvgate on the plan's store, its log in dir; the near cache at its default unless given. */
function startKvdb(plan: BackendPlan, logName: string, nearCacheBytes?: number) {
  return startKvgate({
    storeEnv: plan.storeEnv,
    dialects: [kvdb],
    logFile: join(dir, logName),
    extraEnv:
      nearCacheBytes === undefined
        ? kvdb.env
        : { ...kvdb.env, KVGATE_REDIS_NEAR_CACHE_BYTES: String(nearCacheBytes) },
  })
}

async function cacheOnOff(): Promise<void> {
  const plan = await planBackend('redis', settings, dir, log)
  if (!plan) return
  const rows: Array<Row & { cache: string }> = []
  try {
    for (const bytes of [0, DEFAULT_NEAR_CACHE_BYTES]) {
      const cache = bytes ? `near cache ${bytes >> 20} MiB` : 'no near cache'
      const server = await startKvdb(plan, `kvgate-${bytes}.log`, bytes)
      try {
        const ns = await kvdb.open(server.handle)
        plan.namespaces.push(ns.namespace)
        await seed(server.url, ns.front)
        run([process.execPath, join(import.meta.dir, 'load.ts'), String(LIST_KEYS), ns.namespace], {
          env: { ...plan.storeEnv, KVGATE_LOG: 'silent' },
        })
        for (const scenario of SCENARIOS.filter((each) =>
          ['get-hit', 'get-miss', 'put', 'list'].includes(each.name),
        )) {
          const row = await measure(
            {
              group: 'redis',
              target: `kvgate, ${cache}`,
              dialect: 'kvdb',
              scenario,
              url: server.url,
              pid: server.pid,
              requests: requestsFor(scenario.name, ns.front, LIST_KEYS)!,
            },
            settings,
            log,
          )
          if (row) rows.push({ ...row, cache })
        }
      } finally {
        await server.stop()
      }
    }
  } finally {
    await plan.close()
  }
  log(`\n| scenario | cache | req/s | p50 ms | p99 ms | cpu µs/req | on / off |`)
  log('|---|---|---|---|---|---|---|')
  for (const row of rows) {
    const off = rows.find((each) => each.scenario === row.scenario && each.cache === 'no near cache')
    log(
      `| ${row.scenario} | ${row.cache} | ${fmt(row.rps)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.cpuUsPerRequest?.toFixed(1) ?? '?'} | ${off ? (row.rps / off.rps).toFixed(2) : '?'}x |`,
    )
  }
}

async function coherence(): Promise<void> {
  const plan = await planBackend('redis', settings, dir, log)
  if (!plan) return
  try {
    const [a, b] = await Promise.all(['a', 'b'].map((name) => startKvdb(plan, `coherence-${name}.log`)))
    try {
      const ns = await kvdb.open(a!.handle)
      plan.namespaces.push(ns.namespace)
      const put = ns.front.putKey('coherent', 'v-1')
      const get = ns.front.getKey('coherent')
      await fetch(`${a!.url}${put.path}`, { method: put.method, body: put.body })
      const delays: number[] = []
      let reads = 0
      for (let i = 0; i < WRITES; i++) {
        const value = `v${i}`
        const write = ns.front.putKey('coherent', value)
        const response = await fetch(`${a!.url}${write.path}`, { method: write.method, body: write.body })
        if (!response.ok) throw new Error(`write answered ${response.status}`)
        const acknowledged = performance.now()
        for (;;) {
          reads++
          if ((await (await fetch(`${b!.url}${get.path}`)).text()) === value) break
          if (performance.now() - acknowledged > 5000) throw new Error(`B did not see ${value} within 5 s`)
        }
        delays.push(performance.now() - acknowledged)
        // B reads the value a few more times, so it is in B's cache when the next write comes.
        for (let j = 0; j < 3; j++) await fetch(`${b!.url}${get.path}`)
      }
      delays.sort((x, y) => x - y)
      const at = (q: number) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))]!
      log(
        `\ncoherence (A writes through KVdb, B reads in a loop; ${WRITES} writes, ${(reads / WRITES).toFixed(1)} reads of B per write): p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms, max ${at(1).toFixed(2)} ms (an HTTP read of B is included in each)`,
      )
    } finally {
      await Promise.all([a!.stop(), b!.stop()])
    }
  } finally {
    await plan.close()
  }
}

/** Peak RSS of a kvgate whose cache is far smaller than what it reads (BENCH_RSS_KEYS keys of 1 KiB). */
async function rss(): Promise<void> {
  const plan = await planBackend('redis', settings, dir, log)
  if (!plan) return
  const keys = Number(process.env.BENCH_RSS_KEYS ?? 100_000)
  try {
    for (const cacheBytes of [0, 16 * 2 ** 20]) {
      const server = await startKvdb(plan, `rss-${cacheBytes}.log`, cacheBytes)
      try {
        const ns = await kvdb.open(server.handle)
        plan.namespaces.push(ns.namespace)
        const idle = peakRss(server.pid) ?? 0
        const engine = new Engine(
          new RedisBackend({ url: settings.redisUrl, prefix: settings.redisPrefix }),
          { sweepIntervalMs: 0 },
        )
        const value = { bytes: new Uint8Array(1024).fill(120) }
        for (let from = 0; from < keys; from += 1000) {
          const size = Math.min(1000, keys - from)
          await engine.batch(
            ns.namespace,
            Array.from({ length: size }, (_, i) => ({
              type: 'put' as const,
              key: utf8(listKey(from + i)),
              value,
            })),
          )
        }
        await engine.close()
        for (let pass = 0; pass < 2; pass++) {
          for (let from = 0; from < keys; from += 64) {
            await Promise.all(
              Array.from({ length: Math.min(64, keys - from) }, async (_, i) => {
                const get = ns.front.getKey(listKey(from + i))
                await (await fetch(`${server.url}${get.path}`)).arrayBuffer()
              }),
            )
          }
        }
        const peak = peakRss(server.pid) ?? 0
        log(
          `RSS, ${fmt(keys)} keys of 1 KiB (${fmt(keys / 1024)} MiB) read twice, ${cacheBytes ? `${cacheBytes >> 20} MiB near cache` : 'no near cache'}: peak ${fmt(peak / 2 ** 20)} MiB (${fmt(idle / 2 ** 20)} MiB before the load)`,
        )
      } finally {
        await server.stop()
      }
    }
  } finally {
    await plan.close()
  }
}

async function memory(): Promise<void> {
  if (!redisServerInstalled()) {
    log('memory: redis-server is not installed, skipped')
    return
  }
  const value = 'x'.repeat(32)
  const measureOn = async (what: string, fill: (url: string) => Promise<void>) => {
    const redis = privateRedis()
    await redis.start()
    const raw = new Redis(redis.url)
    try {
      const before = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))![1])
      const started = performance.now()
      await fill(redis.url)
      const seconds = (performance.now() - started) / 1000
      const after = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))![1])
      const perKey = (after - before) / MEMORY_KEYS
      log(
        `  ${what}: ${((after - before) / 2 ** 20).toFixed(1)} MiB, ${perKey.toFixed(0)} bytes per key, loaded at ${fmt(MEMORY_KEYS / seconds)} keys/s`,
      )
      return perKey
    } finally {
      raw.disconnect()
      await redis.remove()
    }
  }
  log(
    `\nRedis memory, ${fmt(MEMORY_KEYS)} keys of 32-byte values (k:0000000 ...), each on an empty private Redis:`,
  )
  const plain = await measureOn('plain SET', async (url) => {
    const raw = new Redis(url)
    for (let from = 0; from < MEMORY_KEYS; from += 1000) {
      const pipeline = raw.pipeline()
      for (let i = from; i < Math.min(MEMORY_KEYS, from + 1000); i++) pipeline.set(listKey(i), value)
      await pipeline.exec()
    }
    raw.disconnect()
  })
  const through = await measureOn('kvgate (engine batches of 1000)', async (url) => {
    const engine = new Engine(new RedisBackend({ url }), { sweepIntervalMs: 0 })
    const ns = (await engine.namespaces.create({ dialect: 'kvdb' })).id
    const bytes = utf8(value)
    for (let from = 0; from < MEMORY_KEYS; from += 1000) {
      const size = Math.min(1000, MEMORY_KEYS - from)
      await engine.batch(
        ns,
        Array.from({ length: size }, (_, i) => ({
          type: 'put' as const,
          key: utf8(listKey(from + i)),
          value: { bytes },
        })),
      )
    }
    await engine.close()
  })
  log(`  kvgate / plain: ${(through / plain).toFixed(2)}x`)
}

try {
  if (!ensureInstalled('wrk', 'wrk', log))
    throw new Error('wrk is not installed and apt-get could not install it')
  const parts = (process.env.BENCH_PARTS ?? 'cache,coherence,memory,rss').split(',')
  if (parts.includes('cache')) await cacheOnOff()
  if (parts.includes('coherence')) await coherence()
  if (parts.includes('memory')) await memory()
  if (parts.includes('rss')) await rss()
} finally {
  await stopAll()
}
