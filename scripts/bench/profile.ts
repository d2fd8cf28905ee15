// Profiles kvgate under one scenario of one dialect: starts it with `bun --cpu-prof-md`, loads it
// with wrk, lets it exit, and prints the hottest functions. For finding what holds a figure back.
//
//   bun scripts/bench/profile.ts DIALECT SCENARIO [BACKEND] [SECONDS]
//   e.g. bun scripts/bench/profile.ts kvdb get-hit sqlite 5   (BENCH_LIST_KEYS sizes the listing)

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planBackend } from './backends.ts'
import { echo } from './dialects/echo.ts'
import { dialectBenches } from './dialects/index.ts'
import { run, stopAll } from './processes.ts'
import { requestsFor, type ScenarioName } from './scenarios.ts'
import { seed } from './seed.ts'
import { settings } from './settings.ts'
import { startKvgate } from './targets/kvgate.ts'
import { runWrk } from './wrk.ts'

const [dialect = 'kvdb', scenario = 'get-hit', backend = 'sqlite', seconds = '5'] = process.argv.slice(2)
const bench = [echo, ...dialectBenches].find((each) => each.name === dialect)
if (!bench) throw new Error(`unknown dialect ${dialect}`)
const dir = mkdtempSync(join(tmpdir(), 'kvgate-profile-'))
const plan = await planBackend(backend, settings, dir, console.log)
if (!plan) process.exit(1)
const main = join(import.meta.dir, dialect === 'echo' ? 'servers/kvgate-echo.ts' : '../../core/main.ts')
const server = await startKvgate({
  storeEnv: plan.storeEnv,
  dialects: [bench],
  logFile: join(dir, 'kvgate.log'),
  entry: join(import.meta.dir, 'servers/exit-after.ts'),
  entryArgs: [main],
  bunFlags: ['--cpu-prof-md', `--cpu-prof-dir=${dir}`],
  extraEnv: { BENCH_EXIT_AFTER_MS: String((Number(seconds) + 60) * 1000) },
  enableDialects: dialect !== 'echo',
})
const startedAt = Date.now()
try {
  const ns = await bench.open(server.handle)
  await seed(server.url, ns.front)
  if (scenario === 'list') {
    run([process.execPath, join(import.meta.dir, 'load.ts'), String(settings.listKeys), ns.namespace], {
      env: { ...plan.storeEnv, KVGATE_LOG: 'silent' },
    })
  }
  const requests = requestsFor(scenario as ScenarioName, ns.front, settings.listKeys)
  if (!requests) throw new Error(`${dialect} has no ${scenario}`)
  const result = await runWrk({
    url: server.url,
    requests,
    seconds: Number(seconds),
    connections: settings.connections,
    threads: settings.threads,
  })
  console.log(result)
  // The wrapper exits a minute after the load; wait for its profile.
  const deadline = startedAt + (Number(seconds) + 75) * 1000
  while (!readdirSync(dir).some((file) => file.endsWith('.md')) && Date.now() < deadline) await Bun.sleep(200)
  const profile = readdirSync(dir).find((file) => file.endsWith('.md'))
  if (!profile) throw new Error(`no profile written in ${dir}`)
  console.log(readFileSync(join(dir, profile), 'utf8').split('\n').slice(0, 60).join('\n'))
  console.log(`full profile: ${join(dir, profile)}`)
} finally {
  await server.stop()
  await plan.close()
  await stopAll()
}
