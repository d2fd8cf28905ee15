// `kvgate selftest`: with the same flags and environment as `kvgate serve`, checks the configured
// store for real (a probe key written, read and deleted in a namespace of its own, then removed),
// the embedded Lua runtime and the port, and prints one line per check. It leaves nothing behind:
// an embedded database file that does not exist yet is not created; a temporary one stands in.

import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { type Config, ConfigError, type DialectSettings, loadConfig, storeLabel } from '../config.ts'
import { compareBytes, utf8 } from '../engine/bytes.ts'
import { Engine } from '../engine/engine.ts'
import { openBackend } from '../engine/store.ts'
import { BASE62, randomString } from '../ids.ts'
import { listenFetch } from '../runtime.ts'

export interface CheckResult {
  name: string
  ok: boolean
  detail: string
}

export interface SelftestReport {
  checks: CheckResult[]
  ok: boolean
  text: string
}

export async function runSelftest(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: DialectSettings[],
): Promise<SelftestReport> {
  const checks: CheckResult[] = []
  let config: Config | null = null
  try {
    config = loadConfig({ env, argv, dialects })
    const file = config.configFile ? `config file ${config.configFile}` : 'no config file'
    checks.push({
      name: 'configuration',
      ok: true,
      detail: `${file}; ${new Set(config.mounts.map((mount) => mount.dialect)).size} dialects on ${config.mounts.length} routes`,
    })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    checks.push({ name: 'configuration', ok: false, detail: error.message })
  }
  if (config) {
    const store = storeLabel(config.store)
    checks.push(await check('store', () => probeStore(config), store))
    checks.push(await check('lua', probeLua))
    checks.push(await check('port', () => probePort(config)))
  }
  const failed = checks.filter((each) => !each.ok).length
  const width = Math.max(...checks.map((each) => each.name.length))
  const lines = checks.map(
    (each) => `${(each.ok ? 'ok' : 'FAILED').padEnd(7)} ${each.name.padEnd(width)}  ${each.detail}`,
  )
  lines.push(
    failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks FAILED`,
  )
  return { checks, ok: failed === 0, text: `${lines.join('\n')}\n` }
}

/** Runs one check; a failure's reason follows what was checked, when that needs saying. */
async function check(name: string, run: () => Promise<string>, subject?: string): Promise<CheckResult> {
  try {
    return { name, ok: true, detail: await run() }
  } catch (error) {
    const reason = (error as Error)?.message ?? String(error)
    return { name, ok: false, detail: subject ? `${subject}: ${reason}` : reason }
  }
}

/** Writes, reads and deletes a probe key in a namespace of its own, then drops that namespace. */
async function probeStore(config: Config): Promise<string> {
  const store = config.store
  let temporary: string | null = null
  const probed = 'wrote, read and deleted a probe key'
  let done = `: ${probed}`
  if (store.type === 'sqlite' && store.path !== ':memory:' && !existsSync(store.path)) {
    done = ` does not exist yet (${creatable(store.path)}): ${probed} in a temporary file instead`
    temporary = mkdtempSync(join(tmpdir(), 'kvgate-selftest-'))
  }
  const target = temporary ? { ...store, path: join(temporary, 'kvgate.db') } : store
  try {
    const engine = new Engine(openBackend(target, { timeoutMs: config.storeTimeoutMs }), {
      sweepIntervalMs: 0,
    })
    const ns = `_selftest-${randomString(BASE62, 16)}`
    try {
      const key = utf8('probe')
      const value = utf8(randomString(BASE62, 32))
      await engine.put(ns, key, { bytes: value })
      const read = await engine.get(ns, key)
      if (!read || compareBytes(read.value, value) !== 0) throw new Error('the probe key read back wrong')
      if (!(await engine.delete(ns, key))) throw new Error('the probe key could not be deleted')
    } finally {
      await dropQuietly(engine, ns)
      await engine.close()
    }
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true })
  }
  return `${storeLabel(store)}${done}`
}

async function dropQuietly(engine: Engine, ns: string): Promise<void> {
  try {
    for (let batch = 0; batch < 10; batch++) if (await engine.backend.dropNamespace(ns, 1000)) return
  } catch {
    // The probe's own failure is the one worth reporting.
  }
}

/** Whether kvgate could create the file: its nearest existing folder must be writable. */
function creatable(path: string): string {
  let folder = dirname(resolve(path))
  while (!existsSync(folder)) folder = dirname(folder)
  try {
    accessSync(folder, constants.W_OK)
  } catch {
    throw new Error(`it does not exist and cannot be created: ${folder} is not writable`)
  }
  return `kvgate would create it: ${folder} is writable`
}

/** The script sandbox, as a script request would use it (glue.wasm, prelude, limits). */
async function probeLua(): Promise<string> {
  const { ScriptSandbox } = await import('../scripting/sandbox.ts')
  const sandbox = new ScriptSandbox({ poolSize: 1 })
  try {
    const response = await sandbox.run(
      { id: 'selftest', version: 1, name: 'selftest', source: 'return 1 + 1' },
      { query: new URLSearchParams(), headers: new Headers(), body: new Uint8Array(), remoteAddr: '' },
      { get: unused, set: unused, delete: unused, incr: unused, list: unused },
    )
    const result = new TextDecoder().decode(response.body).trim()
    if (result !== '2') throw new Error(`a script returning 1 + 1 gave ${JSON.stringify(result)}`)
    return 'a script ran in the sandbox (1 + 1 = 2)'
  } finally {
    sandbox.close()
  }
}

const unused = (): never => {
  throw new Error('the selftest script calls no host function')
}

async function probePort(config: Config): Promise<string> {
  const listener = listenFetch(async () => new Response(null, { status: 503 }), {
    port: config.port,
    hostname: config.host,
    maxRequestBodySize: 1024,
  })
  await listener.stop()
  return `port ${config.port} on ${config.host} is free to listen on`
}
