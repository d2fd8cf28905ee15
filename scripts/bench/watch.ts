// `npm run bench:watch`: the watch feed's two figures, on each store of BENCH_BACKENDS (sqlite and
// redis by default). (1) Write-to-event delay: BENCH_WATCHERS (1,000) event streams on one kvgate
// process, BENCH_WATCH_WRITES (200) PUTs paced BENCH_WATCH_PACE_MS (50) apart, each delay measured
// from just before the PUT is sent to each watcher's parsing of its event (so the PUT's own latency
// and this process reading 1,000 streams are in the figure). (2) PUT throughput (wrk, KVdb, 1 KiB)
// with the change log on against the same with KVGATE_CHANGE_LOG=false, in the same run. Figures are
// printed, never asserted; on a small shared machine they are noisy, so off and on alternate for
// BENCH_WATCH_ROUNDS (2) rounds and the best of each is compared; (3) the same through the Engine
// alone (watch-engine.ts), in alternating slices. BENCH_WATCH_PARTS=delay,put,engine picks.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planBackend } from './backends.ts'
import { kvdb } from './dialects/kvdb.ts'
import { describeMachine } from './machine.ts'
import { measure, type Row } from './measure.ts'
import { stopAll } from './processes.ts'
import { requestsFor, SCENARIOS } from './scenarios.ts'
import { settings } from './settings.ts'
import { startKvgate } from './targets/kvgate.ts'
import { changeLogCost } from './watch-engine.ts'

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 1000)
const WRITES = Number(process.env.BENCH_WATCH_WRITES ?? 200)
const PACE_MS = Number(process.env.BENCH_WATCH_PACE_MS ?? 50)
const ROUNDS = Number(process.env.BENCH_WATCH_ROUNDS ?? 2)
const backends = (process.env.BENCH_BACKENDS ?? 'sqlite,redis').split(',').filter(Boolean)
const parts = (process.env.BENCH_WATCH_PARTS ?? 'delay,put,engine').split(',')
const dir = process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ? mkdtempSync(join(tmpdir(), 'kvgate-bench-watch-')) : ''
const log = (line: string) => console.log(line)

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN

/** Opens `count` event streams on a bucket; each calls `heard(index)` for an event of key d<index>. */
async function openWatchers(url: string, count: number, heard: (index: number) => void) {
  const controllers: AbortController[] = []
  await Promise.all(
    Array.from({ length: count }, async () => {
      const controller = new AbortController()
      controllers.push(controller)
      const response = await fetch(url, {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      })
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      // The first chunk (retry and a comment) says the watcher is in place.
      await reader.read()
      ;(async () => {
        let buffered = ''
        try {
          for (;;) {
            const { value, done } = await reader.read()
            if (done) return
            buffered += decoder.decode(value, { stream: true })
            let at = buffered.indexOf('"key":"d')
            while (at !== -1) {
              const end = buffered.indexOf('"', at + 8)
              if (end === -1) break
              heard(Number(buffered.slice(at + 8, end)))
              at = buffered.indexOf('"key":"d', end)
            }
            buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 2)
          }
        } catch {
          // Aborted at the end.
        }
      })()
    }),
  )
  return () => {
    for (const controller of controllers) controller.abort()
  }
}

async function delay(backend: string, storeEnv: Record<string, string>): Promise<string> {
  const server = await startKvgate({ storeEnv, dialects: [kvdb], logFile: join(dir, `delay-${backend}.log`) })
  try {
    const bucket = await kvdb.open(server.handle)
    const base = `${server.url}/kvdb/${bucket.namespace}`
    const sentAt: number[] = []
    const delays: number[] = []
    let received = 0
    const close = await openWatchers(`${base}?watch`, WATCHERS, (index) => {
      delays.push(performance.now() - sentAt[index]!)
      received++
    })
    for (let i = 0; i < WRITES; i++) {
      sentAt[i] = performance.now()
      await fetch(`${base}/d${i}`, { method: 'PUT', body: 'x' })
      await Bun.sleep(PACE_MS)
    }
    const deadline = Date.now() + 10_000
    while (received < WRITES * WATCHERS && Date.now() < deadline) await Bun.sleep(20)
    close()
    delays.sort((a, b) => a - b)
    return `| ${backend} | ${WATCHERS} | ${WRITES} | ${received}/${WRITES * WATCHERS} | ${percentile(delays, 50).toFixed(2)} | ${percentile(delays, 99).toFixed(2)} |`
  } finally {
    await server.stop()
  }
}

async function throughput(
  backend: string,
  storeEnv: Record<string, string>,
  on: boolean,
): Promise<Row | null> {
  const server = await startKvgate({
    storeEnv,
    dialects: [kvdb],
    logFile: join(dir, `put-${backend}-${on ? 'on' : 'off'}.log`),
    extraEnv: { KVGATE_CHANGE_LOG: on ? 'true' : 'false' },
  })
  try {
    const ns = await kvdb.open(server.handle)
    const scenario = SCENARIOS.find((each) => each.name === 'put')!
    return await measure(
      {
        group: backend,
        target: `kvgate, change log ${on ? 'on' : 'off'}`,
        dialect: 'kvdb',
        scenario,
        url: server.url,
        pid: server.pid,
        requests: requestsFor('put', ns.front, 0)!,
      },
      settings,
      log,
    )
  } finally {
    await server.stop()
  }
}

async function main(): Promise<void> {
  const machine = describeMachine()
  log(`kvgate watch feed: ${machine.cores} cores (${machine.cpu}); logs in ${dir}`)
  const delayRows: string[] = []
  const putRows: string[] = []
  const engineRows: string[] = []
  for (const backend of backends) {
    const plan = await planBackend(backend, settings, dir, log)
    if (!plan) continue
    try {
      if (parts.includes('delay')) delayRows.push(await delay(backend, plan.storeEnv))
      if (parts.includes('engine') && (backend === 'sqlite' || backend === 'redis')) {
        engineRows.push(await changeLogCost(backend, settings.redisUrl, `${settings.redisPrefix}log:`))
      }
      if (!parts.includes('put')) continue
      // Off and on alternate, and the best of each counts: the machine's other load comes and goes.
      let off: Row | null = null
      let on: Row | null = null
      for (let round = 0; round < ROUNDS; round++) {
        const offRow = await throughput(backend, plan.storeEnv, false)
        const onRow = await throughput(backend, plan.storeEnv, true)
        if (offRow && (!off || offRow.rps > off.rps)) off = offRow
        if (onRow && (!on || onRow.rps > on.rps)) on = onRow
      }
      if (off && on) {
        const cpu = (row: Row) => (row.cpuUsPerRequest === null ? '?' : row.cpuUsPerRequest.toFixed(1))
        putRows.push(
          `| ${backend} | ${Math.round(off.rps).toLocaleString('en-US')} | ${Math.round(on.rps).toLocaleString('en-US')} | ${((100 * on.rps) / off.rps).toFixed(0)}% | ${cpu(off)} | ${cpu(on)} |`,
        )
      }
    } finally {
      await plan.close()
    }
  }
  log('\nWrite-to-event delay (ms, from sending the PUT to a watcher parsing its event):')
  log('| store | watchers | writes | events heard | p50 ms | p99 ms |')
  log('|---|---|---|---|---|---|')
  for (const row of delayRows) log(row)
  log('\nPUT 1 KiB through KVdb, change log off and on (target: on >= 90% of off):')
  log('| store | off req/s | on req/s | on / off | off cpu µs/req | on cpu µs/req |')
  log('|---|---|---|---|---|---|')
  for (const row of putRows) log(row)
  log('\nPUT 1 KiB through the Engine in this process, change log off and on (median of alternating slices):')
  log('| store | off puts/s | on puts/s | on / off |')
  log('|---|---|---|---|')
  for (const row of engineRows) log(row)
}

if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
  // Bun's fetch keeps at most 256 requests open at once unless told at startup, and every watcher
  // is one that stays open: run again with room for all of them.
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: String(WATCHERS + 64) },
    stdio: ['inherit', 'inherit', 'inherit'],
  })
  process.exitCode = await child.exited
} else {
  try {
    await main()
  } finally {
    await stopAll()
  }
}
