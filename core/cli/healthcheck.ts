// `kvgate healthcheck [--url URL]`: asks a running kvgate's /healthz and exits 0 when it answers 200,
// 1 otherwise, with one line saying what it saw. The container image's HEALTHCHECK runs it, so the
// image needs no curl; without --url it asks this machine at the port serve would take.

import type { DialectSettings } from '../config.ts'
import { loadConfig } from '../config.ts'
import { UsageError } from './fail.ts'

export interface HealthcheckResult {
  ok: boolean
  line: string
}

export async function runHealthcheck(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: DialectSettings[],
): Promise<HealthcheckResult> {
  const { url: given, timeoutMs, rest } = ownFlags(argv)
  const base = given ?? localUrl(loadConfig({ env, argv: rest, dialects }))
  const url = `${base.replace(/\/+$/, '')}/healthz`
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = (await response.text()).trim().slice(0, 200)
    const line = `${url}: ${response.status} ${body}`
    return {
      ok: response.status === 200,
      line: response.status === 200 ? `healthy: ${line}` : `unhealthy: ${line}`,
    }
  } catch (error) {
    return { ok: false, line: `unhealthy: ${url}: ${(error as Error)?.message ?? String(error)}` }
  }
}

/** --url and --timeout-ms; the other flags are serve's, for the port and host. */
function ownFlags(argv: string[]): { url?: string; timeoutMs: number; rest: string[] } {
  const rest: string[] = []
  let url: string | undefined
  let timeoutMs = 5000
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined]
    if (name !== '--url' && name !== '--timeout-ms') {
      rest.push(arg)
      continue
    }
    const value = inline ?? argv[++i]
    if (value === undefined) throw new UsageError(`${name} needs a value`)
    if (name === '--url') url = value
    else {
      timeoutMs = Number(value)
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
        throw new UsageError('--timeout-ms must be a whole number above 0')
    }
  }
  return { url, timeoutMs, rest }
}

/** Where this machine reaches a server listening on host:port ("any address" means loopback). */
function localUrl(config: { host: string; port: number }): string {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : config.host
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.port}`
}
