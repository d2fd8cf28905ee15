// Binary cold start, beside a baseline built in the same run: builds kvgate with scripts/build.ts
// and a bare Bun.serve hello with `bun build --compile`, then, several times in turn and each from
// an empty folder, times spawn -> first 200 for the hello and for kvgate (on /healthz, with a new
// data file), and spawn -> exit for `kvgate --help`. The figures that matter are the ratios to the
// hello's, which carry over between machines where milliseconds do not.
// Alone: `bun scripts/bench/cold-start.ts [starts]` prints the figures and writes nothing.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, run, startChild, stopChild } from './processes.ts'

export interface Timings {
  runs: number[]
  medianMs: number
}

export interface ColdStart {
  /** kvgate: spawn -> first 200 on /healthz. */
  firstRequest: Timings
  /** The bare compiled Bun.serve hello: spawn -> first 200. */
  baseline: Timings
  /** `kvgate --help`: spawn -> exit. */
  help: Timings
  binaryBytes: number
}

/** Issue 20's targets, as ratios to the baseline's first request. */
export const COLD_START_TARGETS = { firstRequest: 4, help: 3 }

const HELLO = `Bun.serve({
  port: Number(process.argv[2]),
  hostname: '127.0.0.1',
  fetch: () => new Response('hello'),
})
`

export async function measureColdStart(dir: string, times = 7): Promise<ColdStart> {
  const binary = join(dir, 'kvgate')
  run([process.execPath, join(import.meta.dir, '../build.ts'), binary])
  const hello = join(dir, 'hello')
  writeFileSync(`${hello}.ts`, HELLO)
  run([process.execPath, 'build', '--compile', '--minify', `${hello}.ts`, '--outfile', hello])

  const baseline: number[] = []
  const firstRequest: number[] = []
  const help: number[] = []
  // In turn rather than one after the other, so a busy moment on the machine hits all three alike.
  for (let i = 0; i < times; i++) {
    baseline.push(await timeFirstResponse(dir, `hello-${i}`, (port) => [hello, String(port)], '/'))
    firstRequest.push(
      await timeFirstResponse(
        dir,
        `kvgate-${i}`,
        (port) => [binary, '--port', String(port), '--host', '127.0.0.1'],
        '/healthz',
      ),
    )
    help.push(timeExit(dir, `help-${i}`, [binary, '--help']))
  }
  return {
    firstRequest: timings(firstRequest),
    baseline: timings(baseline),
    help: timings(help),
    binaryBytes: Bun.file(binary).size,
  }
}

/** Spawn -> first 200 on `path`, from an empty folder of its own. */
async function timeFirstResponse(
  dir: string,
  name: string,
  command: (port: number) => string[],
  path: string,
): Promise<number> {
  const cwd = join(dir, name)
  mkdirSync(cwd)
  const port = freePort()
  const url = `http://127.0.0.1:${port}${path}`
  const started = performance.now()
  const child = startChild(command(port), {
    cwd,
    env: {
      KVGATE_DATA: join(cwd, 'kvgate.db'),
      KVGATE_LOG: 'warn',
      REDIS_URL: undefined,
      REDIS_CLUSTER_NODES: undefined,
    },
    logFile: join(cwd, 'output.log'),
  })
  let elapsed = Number.NaN
  while (performance.now() - started < 10_000) {
    try {
      if ((await fetch(url)).status === 200) {
        elapsed = performance.now() - started
        break
      }
    } catch {}
    await Bun.sleep(1)
  }
  await stopChild(child)
  if (Number.isNaN(elapsed))
    throw new Error(`${name} did not answer ${path} within 10 s (see ${cwd}/output.log)`)
  return elapsed
}

/** Spawn -> exit of a command that must succeed, from an empty folder of its own. */
function timeExit(dir: string, name: string, command: string[]): number {
  const cwd = join(dir, name)
  mkdirSync(cwd)
  const started = performance.now()
  const result = Bun.spawnSync(command, { cwd, stdout: 'pipe', stderr: 'pipe' })
  const elapsed = performance.now() - started
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} failed: ${result.stderr.toString()}`)
  return elapsed
}

function timings(runs: number[]): Timings {
  const sorted = [...runs].sort((a, b) => a - b)
  return { runs, medianMs: sorted[Math.floor(sorted.length / 2)]! }
}

/** One line per figure, with its ratio to the baseline and the target. */
export function describeColdStart(cold: ColdStart): string[] {
  const base = cold.baseline.medianMs
  const line = (what: string, figure: Timings, target?: number) =>
    `${what}: median ${figure.medianMs.toFixed(1)} ms` +
    (target === undefined
      ? ''
      : ` = ${(figure.medianMs / base).toFixed(2)}× the baseline (target <= ${target}×: ${
          figure.medianMs / base <= target ? 'met' : 'not met'
        })`) +
    ` (${figure.runs.map((each) => each.toFixed(0)).join(', ')} ms)`
  return [
    line('bare compiled Bun.serve, spawn to first response (baseline)', cold.baseline),
    line('kvgate, spawn to first response on /healthz', cold.firstRequest, COLD_START_TARGETS.firstRequest),
    line('kvgate --help, spawn to exit', cold.help, COLD_START_TARGETS.help),
  ]
}

if (import.meta.main) {
  const starts = Number(process.argv[2] ?? 7)
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-cold-start-'))
  try {
    const cold = await measureColdStart(dir, starts)
    for (const line of describeColdStart(cold)) console.log(line)
    console.log(`binary: ${(cold.binaryBytes / 2 ** 20).toFixed(0)} MiB`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
