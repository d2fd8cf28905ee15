// One figure: checks that the scenario's first request answers as expected, warms up, resets the
// server's peak RSS, runs the measured load and reads the peak back.

import { cpuSeconds, peakRss, resetPeakRss } from './processes.ts'
import type { Scenario } from './scenarios.ts'
import type { Settings } from './settings.ts'
import { type HttpRequest, runWrk } from './wrk.ts'

export interface Row {
  /** 'ceiling', a backend name (sqlite, redis, cluster), or 'peer'. */
  group: string
  /** Who answered: 'bare Bun.serve', 'kvgate', 'webdis', ... */
  target: string
  /** The dialect for kvgate; '' otherwise. */
  dialect: string
  scenario: string
  rps: number
  p50Ms: number
  p99Ms: number
  peakRssBytes: number | null
  /** The server's CPU time (user + system) per answered request, in microseconds. */
  cpuUsPerRequest: number | null
  errors: number
  requests: number
}

export interface Measured {
  group: string
  target: string
  dialect: string
  scenario: Scenario
  url: string
  pid: number
  requests: HttpRequest[]
  /** A miss answers 200 (peers without a 404). */
  missIsOk?: boolean
}

/** Sends one request outside wrk; the answer's status and a piece of its body. */
export async function probe(url: string, request: HttpRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  })
  return { status: response.status, body: (await response.text()).slice(0, 200) }
}

/** `log` gets the figure; `note` gets why a scenario was skipped (it goes into the report). */
export async function measure(
  input: Measured,
  settings: Settings,
  log: (line: string) => void,
  note: (line: string) => void = log,
): Promise<Row | null> {
  const expectOk = input.scenario.expect === 'ok' || input.missIsOk === true
  const first = await probe(input.url, input.requests[0]!)
  const fine = expectOk ? first.status < 300 : first.status === 404
  if (!fine) {
    note(
      `  skip ${input.target} ${input.dialect} ${input.scenario.name}: first request answered ${first.status} ${first.body}`,
    )
    return null
  }
  const load = {
    url: input.url,
    requests: input.requests,
    connections: settings.connections,
    threads: settings.threads,
  }
  if (settings.warmupSeconds > 0) await runWrk({ ...load, seconds: settings.warmupSeconds })
  const reset = resetPeakRss(input.pid)
  const cpuBefore = cpuSeconds(input.pid)
  const result = await runWrk({ ...load, seconds: settings.seconds })
  const cpuAfter = cpuSeconds(input.pid)
  const wrongStatus = expectOk ? result.non2xx : result.requests - result.non2xx
  const row: Row = {
    group: input.group,
    target: input.target,
    dialect: input.dialect,
    scenario: input.scenario.name,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    peakRssBytes: reset ? peakRss(input.pid) : null,
    cpuUsPerRequest:
      cpuBefore === null || cpuAfter === null || result.requests === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1e6) / result.requests,
    errors: result.socketErrors + wrongStatus,
    requests: result.requests,
  }
  log(
    `  ${[input.group, input.target, input.dialect, input.scenario.name].filter(Boolean).join(' / ').padEnd(44)}` +
      `${Math.round(row.rps).toLocaleString('en-US').padStart(9)} req/s  p50 ${row.p50Ms.toFixed(2)} ms  ` +
      `p99 ${row.p99Ms.toFixed(2)} ms  cpu ${row.cpuUsPerRequest === null ? '?' : row.cpuUsPerRequest.toFixed(1)} µs/req  rss ${row.peakRssBytes === null ? '?' : Math.round(row.peakRssBytes / 2 ** 20)} MiB` +
      (row.errors > 0 ? `  errors ${row.errors}` : ''),
  )
  return row
}
