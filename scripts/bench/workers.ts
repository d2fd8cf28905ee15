// `npm run bench:workers`: kvgate on Redis with one process and with KVGATE_WORKERS processes
// sharing the port, side by side in one run (KVdb, GET 1 KiB hit and PUT 1 KiB). wrk runs on the
// same machine: with as many workers as cores the load generator takes cores from them, so on a
// small machine the figure may not rise at all. Figures are printed, never asserted.
// Settings as in settings.ts (BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_REDIS_URL), and
// BENCH_WORKERS (2 by default): the number of workers beside one process.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { descendants } from '../../test/support/process.ts'
import { planBackend } from './backends.ts'
import { kvdb } from './dialects/kvdb.ts'
import { describeMachine } from './machine.ts'
import { measure, type Row } from './measure.ts'
import { ensureInstalled, stopAll, waitFor } from './processes.ts'
import { requestsFor, SCENARIOS } from './scenarios.ts'
import { seed } from './seed.ts'
import { settings } from './settings.ts'
import { startKvgate } from './targets/kvgate.ts'

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2)
const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-workers-'))
const log = (line: string) => console.log(line)

async function main(): Promise<void> {
  if (!ensureInstalled('wrk', 'wrk', log))
    throw new Error('wrk is not installed and apt-get could not install it')
  const machine = describeMachine()
  log(`kvgate workers on Redis: ${machine.cores} cores (${machine.cpu}); logs in ${dir}`)
  const plan = await planBackend('redis', settings, dir, log)
  if (!plan) return
  const rows: Array<Row & { workers: number }> = []
  try {
    for (const workers of [1, WORKERS]) {
      const logFile = join(dir, `kvgate-${workers}.log`)
      const server = await startKvgate({
        storeEnv: plan.storeEnv,
        dialects: [kvdb],
        logFile,
        extraEnv: { KVGATE_WORKERS: String(workers) },
      })
      try {
        if (workers > 1) {
          // /healthz answers once the first worker listens; the figure wants all of them (the
          // warm-up runs before the measured load besides).
          await waitFor('every worker started', async () => descendants(server.pid).length >= workers)
          await Bun.sleep(1000)
        }
        const ns = await kvdb.open(server.handle)
        plan.namespaces.push(ns.namespace)
        await seed(server.url, ns.front)
        for (const scenario of SCENARIOS.filter((each) => ['get-hit', 'put'].includes(each.name))) {
          const row = await measure(
            {
              group: 'redis',
              target: `kvgate, ${workers === 1 ? 'one process' : `${workers} workers`}`,
              dialect: 'kvdb',
              scenario,
              url: server.url,
              pid: server.pid,
              requests: requestsFor(scenario.name, ns.front, 0)!,
            },
            settings,
            log,
          )
          if (row) rows.push({ ...row, workers })
        }
      } finally {
        await server.stop()
      }
    }
  } finally {
    await plan.close()
  }
  log('\n| scenario | workers | req/s | p50 ms | p99 ms | vs one process |')
  log('|---|---|---|---|---|---|')
  for (const row of rows) {
    const one = rows.find((each) => each.scenario === row.scenario && each.workers === 1)
    const ratio = one ? (row.rps / one.rps).toFixed(2) : '?'
    log(
      `| ${row.scenario} | ${row.workers} | ${Math.round(row.rps).toLocaleString('en-US')} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${ratio}x |`,
    )
  }
  log(`(rss above is the first process's: with workers, the starter, which serves nothing)`)
}

try {
  await main()
} finally {
  await stopAll()
}
