#!/usr/bin/env bun
// The kvgate command: `kvgate` (serve, the default), `kvgate admin ...`, `kvgate selftest`.

import { dialects } from '../plugins/index.ts'
import { ADMIN_USAGE, runAdmin } from './cli/admin.ts'
import { fail, UsageError } from './cli/fail.ts'
import { ConfigError, loadConfig } from './config.ts'
import { StoreOpenError } from './engine/store.ts'
import { createKvgate } from './kvgate.ts'
import { AddressInUseError, isBun, onShutdownSignal } from './runtime.ts'

const USAGE = `usage:
  kvgate [serve] [--port N] [--host H] [--data FILE] [--redis-url URL] [--redis-cluster-nodes H:P,...]
                 [--routes SPEC] [--dialects LIST] [--log LEVEL] [--sqlite-sync off|normal|full] [--config FILE]
  kvgate admin accounts ...   (kvgate admin --help)
  kvgate selftest             checks the store and the embedded Lua runtime
every setting also reads from the environment (KVGATE_PORT, KVGATE_DATA, REDIS_URL, ...): see README.md`

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig({ env: process.env, argv, dialects })
  const kvgate = createKvgate(config, dialects)
  const listener = kvgate.server.listen({ port: config.port, hostname: config.host })
  kvgate.log.info('listening', {
    port: listener.port,
    host: config.host,
    store: config.store.type,
    runtime: isBun ? 'bun' : 'deno',
    mounts: config.mounts.map((mount) => `${mount.dialect}=${mount.host ?? ''}${mount.prefix}`),
  })
  kvgate.log.flush()

  onShutdownSignal(async (signal) => {
    kvgate.log.info('shutting down', { signal })
    const deadline = setTimeout(() => {
      kvgate.log.error('in-flight requests did not finish in time; exiting anyway')
      kvgate.log.flush()
      process.exit(1)
    }, config.shutdownTimeoutMs)
    await listener.stop()
    await kvgate.close()
    clearTimeout(deadline)
    kvgate.log.info('stopped')
    kvgate.log.flush()
    process.exit(0)
  })
}

async function selftest(): Promise<void> {
  const config = loadConfig({ env: process.env, argv: [], dialects })
  const kvgate = createKvgate({ ...config, sweepIntervalMs: 0 }, dialects)
  await kvgate.engine.ping()
  await kvgate.close()
  // The script sandbox itself, as a script request would use it (glue.wasm, prelude, limits).
  const { ScriptSandbox } = await import('./scripting/sandbox.ts')
  const sandbox = new ScriptSandbox({ poolSize: 1 })
  const response = await sandbox.run(
    { id: 'selftest', version: 1, name: 'selftest', source: 'return 1 + 1' },
    { query: new URLSearchParams(), headers: new Headers(), body: new Uint8Array(), remoteAddr: '' },
    { get: unused, set: unused, delete: unused, incr: unused, list: unused },
  )
  sandbox.close()
  const result = Number(new TextDecoder().decode(response.body))
  process.stdout.write(`${JSON.stringify({ store: config.store.type, lua: result })}\n`)
}

const unused = (): never => {
  throw new Error('the selftest script calls no host function')
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'admin':
      if (rest.length === 0 || rest.includes('--help')) {
        process.stdout.write(`${ADMIN_USAGE}\n`)
        return
      }
      {
        const output = await runAdmin(rest, process.env, dialects)
        if (output !== null) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
      }
      return
    case 'selftest':
      return selftest()
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`)
      return
    case 'serve':
      return serve(rest)
    default:
      if (command !== undefined && !command.startsWith('-'))
        throw new UsageError(`unknown command "${command}"\n${USAGE}`)
      return serve(argv)
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = [ConfigError, StoreOpenError, AddressInUseError, UsageError].some(
    (type) => error instanceof type,
  )
  if (known) fail((error as Error).message)
  if (process.env.KVGATE_LOG === 'debug') console.error(error)
  fail(`unexpected error: ${(error as Error)?.message ?? String(error)}`)
})
