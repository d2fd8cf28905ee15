// `npm run bench`: HTTP throughput and latency of kvgate per dialect and backend, beside the bare
// runtime and framework (the ceilings) and beside peers (Webdis, etcd), all on this machine in one
// run. Every server is started here on loopback and stopped here by its PID; the figures go to
// docs/benchmarks.md and docs/benchmarks.svg. Figures are reported, never asserted.
// Settings: see settings.ts (BENCH_DURATION=1 BENCH_WARMUP=0 BENCH_LIST_KEYS=10000 for a quick run).

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dialects as kvgateDialects } from '../../plugins/index.ts'
import { type BackendPlan, deletePrefix, planBackend } from './backends.ts'
import { type ColdStart, describeColdStart, measureColdStart } from './cold-start.ts'
import { echo } from './dialects/echo.ts'
import { dialectBenches } from './dialects/index.ts'
import type { DialectBench, DialectNamespace } from './dialects/types.ts'
import { describeMachine } from './machine.ts'
import { measure, type Row } from './measure.ts'
import { ensureInstalled, run, stopAll } from './processes.ts'
import { type LoadFigure, writeReport } from './report.ts'
import { requestsFor, SCENARIOS } from './scenarios.ts'
import { seed } from './seed.ts'
import { settings } from './settings.ts'
import { startCeiling } from './targets/ceilings.ts'
import { startEtcd } from './targets/etcd.ts'
import { startKvgate } from './targets/kvgate.ts'
import { type Peer, startWebdis } from './targets/webdis.ts'

const started = Date.now()
const notes: string[] = []
const log = (line: string) => console.log(line)
/** A line that also goes into the report (skips, failures). */
const note = (line: string) => {
  log(line)
  notes.push(line)
}
const dir = mkdtempSync(join(tmpdir(), 'kvgate-bench-'))
const rows: Row[] = []
const loads: LoadFigure[] = []
const scenarios = SCENARIOS.filter((scenario) => settings.scenarios.includes(scenario.name))

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await stopAll()
    process.exit(130)
  })
}

async function main(): Promise<void> {
  if (!ensureInstalled('wrk', 'wrk', log))
    throw new Error('wrk is not installed and apt-get could not install it')
  // After the install, so that the report names the wrk it used.
  const machine = describeMachine()
  log(
    `kvgate HTTP benchmark: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB; logs in ${dir}`,
  )

  const benches = availableDialects()
  await ceilings('start')
  for (const backend of settings.backends) {
    const plan = await planBackend(backend, settings, dir, note)
    if (!plan) continue
    try {
      await benchKvgate(plan, [echo], true)
      await benchKvgate(plan, benches, false)
    } catch (error) {
      note(`kvgate on ${backend} failed: ${(error as Error).message}`)
    } finally {
      await plan.close()
    }
  }
  await peers()
  await ceilings('end')

  let coldStart: ColdStart | null = null
  if (settings.coldStart) {
    log('== binary cold start')
    try {
      coldStart = await measureColdStart(dir)
      for (const line of describeColdStart(coldStart)) log(`  ${line}`)
    } catch (error) {
      note(`cold start not measured: ${(error as Error).message}`)
    }
  }

  const written = writeReport({
    machine,
    settings,
    rows,
    loads,
    coldStart,
    notes,
    startedAt: new Date(started),
    seconds: (Date.now() - started) / 1000,
  })
  log(`wrote ${written.join(' and ')} in ${Math.round((Date.now() - started) / 1000)} s`)
}

/** The dialect benchmarks whose plugin this kvgate has. */
function availableDialects(): DialectBench[] {
  const known = new Set(kvgateDialects.map((dialect) => dialect.name))
  const wanted = dialectBenches.filter(
    (bench) => settings.dialects.length === 0 || settings.dialects.includes(bench.name),
  )
  for (const bench of wanted) {
    if (!known.has(bench.name)) note(`dialect ${bench.name}: not in this build of kvgate, skipped`)
  }
  return wanted.filter((bench) => known.has(bench.name))
}

const CEILING_NAMES = {
  bun: 'bare Bun.serve',
  elysia: 'bare Elysia',
  'elysia-handle': 'Elysia via app.handle (not a ceiling)',
} as const

async function ceilings(when: 'start' | 'end'): Promise<void> {
  log(`== ceilings (${when} of the run)`)
  const scenario = SCENARIOS[0]!
  for (const name of ['bun', 'elysia', 'elysia-handle'] as const) {
    if (when === 'end' && name !== 'elysia') continue
    const ceiling = await startCeiling(name, dir)
    try {
      const row = await measure(
        {
          group: 'ceiling',
          target: `${CEILING_NAMES[name]}${when === 'end' ? ' (again, at the end)' : ''}`,
          dialect: '',
          scenario,
          url: ceiling.url,
          pid: ceiling.pid,
          requests: ceiling.requests,
        },
        settings,
        log,
      )
      if (row) rows.push(row)
    } finally {
      await ceiling.stop()
    }
  }
}

/** The core floor: the same server with only the tests' echo dialect; GET and PUT only. */
const FLOOR_SCENARIOS = ['get-hit', 'put']

async function benchKvgate(plan: BackendPlan, benches: DialectBench[], floor: boolean): Promise<void> {
  log(`== kvgate${floor ? ' core floor (echo dialect)' : ''} on ${plan.name}`)
  if (benches.length === 0) {
    note(`kvgate on ${plan.name}: no dialect to benchmark`)
    return
  }
  const server = await startKvgate({
    storeEnv: plan.storeEnv,
    dialects: benches,
    logFile: join(dir, `kvgate-${floor ? 'floor-' : ''}${plan.name}.log`),
    entry: floor ? join(import.meta.dir, 'servers/kvgate-echo.ts') : undefined,
  })
  try {
    const opened: Array<{ bench: DialectBench; ns: DialectNamespace }> = []
    for (const bench of benches) {
      try {
        const ns = await bench.open(server.handle)
        await seed(server.url, ns.front)
        opened.push({ bench, ns })
        plan.namespaces.push(ns.namespace)
      } catch (error) {
        note(`kvgate on ${plan.name}, ${bench.name}: setup failed, skipped: ${(error as Error).message}`)
      }
    }
    // Who lists: every dialect on the backends named in BENCH_LIST_EVERY_DIALECT, else one.
    const every = settings.listEveryDialect.includes(plan.name)
    const listers = every
      ? opened
      : opened.filter(({ bench }) => bench.name === settings.listDialect).slice(0, 1)
    if (!floor && settings.listKeys > 0 && settings.scenarios.includes('list') && listers.length > 0) {
      if (!every) {
        note(
          `kvgate on ${plan.name}: listing through ${listers[0]!.bench.name} only (set BENCH_LIST_EVERY_DIALECT to list through every dialect)`,
        )
      }
      loads.push(
        loadListKeys(
          plan,
          listers.map(({ ns }) => ns.namespace),
        ),
      )
    }
    for (const scenario of scenarios) {
      if (floor && !FLOOR_SCENARIOS.includes(scenario.name)) continue
      for (const { bench, ns } of opened) {
        if (scenario.name === 'list' && !listers.some((lister) => lister.bench === bench)) continue
        const requests = requestsFor(scenario.name, ns.front, settings.listKeys)
        if (!requests) continue
        const row = await measure(
          {
            group: plan.name,
            target: floor ? 'kvgate core floor' : 'kvgate',
            dialect: bench.name,
            scenario,
            url: server.url,
            pid: server.pid,
            requests,
          },
          settings,
          log,
          note,
        )
        if (row) rows.push(row)
      }
    }
  } finally {
    await server.stop()
  }
}

/** Loads the listing keys into every namespace with scripts/bench/load.ts, timing each. */
function loadListKeys(plan: BackendPlan, namespaces: string[]): LoadFigure {
  log(
    `  loading ${settings.listKeys.toLocaleString('en-US')} keys into each of ${namespaces.length} namespaces`,
  )
  const before = plan.storeBytes()
  const output = run(
    [process.execPath, join(import.meta.dir, 'load.ts'), String(settings.listKeys), ...namespaces],
    {
      env: { ...plan.storeEnv, KVGATE_LOG: 'silent' },
    },
  )
  const after = plan.storeBytes()
  const seconds = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { seconds: number }).seconds)
  const figure: LoadFigure = {
    backend: plan.name,
    keys: settings.listKeys,
    namespaces: namespaces.length,
    seconds,
    bytesPerNamespace: before === null || after === null ? null : (after - before) / namespaces.length,
    memoryWhat: plan.storeBytesWhat,
  }
  log(
    `  ${seconds.map((each) => `${each.toFixed(1)} s`).join(', ')}; ` +
      `${figure.bytesPerNamespace === null ? '?' : Math.round(figure.bytesPerNamespace / 2 ** 20)} MiB per namespace (${plan.storeBytesWhat})`,
  )
  return figure
}

async function peers(): Promise<void> {
  const starters: Record<string, () => Promise<Peer | null>> = {
    webdis: async () => {
      if (!ensureInstalled('webdis', 'webdis', log)) return null
      const redis = new URL(settings.redisUrl)
      return startWebdis({
        redisPort: Number(redis.port || 6379),
        redisDb: Number(redis.pathname.slice(1) || 0),
        keyPrefix: `${settings.redisPrefix}webdis:`,
        dir,
      })
    },
    etcd: async () => (ensureInstalled('etcd', 'etcd-server', log) ? startEtcd(dir) : null),
  }
  for (const name of settings.peers) {
    log(`== peer ${name}`)
    const start = starters[name]
    if (!start) {
      note(`peer ${name}: unknown, skipped`)
      continue
    }
    let peer: Peer | null
    try {
      peer = await start()
    } catch (error) {
      note(`peer ${name}: could not start, skipped: ${(error as Error).message}`)
      continue
    }
    if (!peer) {
      note(`peer ${name}: not installable here, skipped`)
      continue
    }
    try {
      await seed(peer.url, peer.front)
      for (const scenario of scenarios) {
        const requests = requestsFor(scenario.name, peer.front, 0)
        if (!requests) continue
        const row = await measure(
          {
            group: 'peer',
            target: peer.name,
            dialect: '',
            scenario,
            url: peer.url,
            pid: peer.pid,
            requests,
            missIsOk: peer.missIsOk,
          },
          settings,
          log,
          note,
        )
        if (row) rows.push(row)
      }
      if (name === 'webdis') await cleanWebdisKeys()
    } catch (error) {
      note(`peer ${name} failed: ${(error as Error).message}`)
    } finally {
      await peer.stop()
    }
  }
}

/** Webdis's keys carry this run's prefix; they go once it is done. */
async function cleanWebdisKeys(): Promise<void> {
  await deletePrefix(settings.redisUrl, `${settings.redisPrefix}webdis:`)
}

try {
  await main()
} finally {
  await stopAll()
}
