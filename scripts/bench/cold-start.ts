// Binary cold start: builds dist-style kvgate with scripts/build.ts, then times spawn -> first 200
// on /healthz, from an empty folder with a fresh data file, several times.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, run, startChild, stopChild } from './processes.ts'

export interface ColdStart {
  runs: number[]
  medianMs: number
  binaryBytes: number
}

export async function measureColdStart(dir: string, times = 7): Promise<ColdStart> {
  const binary = join(dir, 'kvgate')
  run([process.execPath, join(import.meta.dir, '../build.ts'), binary])
  const runs: number[] = []
  for (let i = 0; i < times; i++) {
    const cwd = join(dir, `cold-${i}`)
    mkdirSync(cwd)
    const port = freePort()
    const url = `http://127.0.0.1:${port}/healthz`
    const started = performance.now()
    const child = startChild([binary, '--port', String(port), '--host', '127.0.0.1'], {
      cwd,
      env: {
        KVGATE_DATA: join(cwd, 'kvgate.db'),
        KVGATE_LOG: 'warn',
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: undefined,
      },
      logFile: join(cwd, 'kvgate.log'),
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
      throw new Error(`the binary did not answer /healthz within 10 s (see ${cwd}/kvgate.log)`)
    runs.push(elapsed)
  }
  const sorted = [...runs].sort((a, b) => a - b)
  return { runs, medianMs: sorted[Math.floor(sorted.length / 2)]!, binaryBytes: Bun.file(binary).size }
}
