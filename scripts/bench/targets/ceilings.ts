// The ceilings: the bare runtime and the bare framework, each answering a constant 1 KiB body.

import { join } from 'node:path'
import { answers, freePort, startChild, stopChild, waitFor } from '../processes.ts'
import type { HttpRequest } from '../wrk.ts'

/** bun: Bun.serve routes; elysia: app.listen; elysia-handle: app.handle behind Bun.serve (a labelled third line). */
export type CeilingName = 'bun' | 'elysia' | 'elysia-handle'

export interface Ceiling {
  name: CeilingName
  pid: number
  url: string
  requests: HttpRequest[]
  stop(): Promise<void>
}

export async function startCeiling(name: CeilingName, logDir: string): Promise<Ceiling> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = startChild([process.execPath, join(import.meta.dir, `../servers/bare-${name}.ts`)], {
    env: { PORT: String(port) },
    logFile: join(logDir, `bare-${name}.log`),
  })
  await waitFor(`bare ${name}`, answers(`${url}/kv/probe`))
  return {
    name,
    pid: child.pid,
    url,
    // Distinct paths, as the kvgate GETs have, although the answer never depends on them.
    requests: Array.from({ length: 1000 }, (_, i) => ({ method: 'GET', path: `/kv/bench-${i}` })),
    stop: () => stopChild(child),
  }
}
