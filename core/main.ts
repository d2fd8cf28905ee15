#!/usr/bin/env bun

// The kvgate command: `kvgate` (serve, the default), `kvgate admin ...`, `kvgate data ...`,
// `kvgate selftest`.
// Dispatch only: each command imports what it needs when it runs, so `kvgate --help` or an admin
// command never loads the server, and the server never loads what only the commands use.

import { fail, UsageError } from './cli/fail.ts'
import type { Dialect } from './dialect.ts'

const USAGE = `usage:
  kvgate [serve] [--port N] [--host H] [--data FILE] [--redis-url URL] [--redis-cluster-nodes H:P,...]
                 [--routes SPEC] [--dialects LIST] [--log LEVEL] [--log-format auto|json|text]
                 [--redis-sentinels H:P,... --redis-sentinel-master NAME] [--workers N]
                 [--sqlite-sync off|normal|full] [--config FILE]
  kvgate admin accounts ...   (kvgate admin --help)
  kvgate data namespaces | keys NS | get NS KEY | put NS KEY [VALUE|-] | delete NS KEY   (kvgate data --help)
  kvgate export [--dialect D] [--namespace ID] [--out FILE]   the store as a JSONL dump (docs/data-format.md)
  kvgate import FILE|- [--on-conflict skip|overwrite|fail]   a dump into the store; run again to resume
  kvgate selftest [flags]     checks the store (a probe key), the Lua runtime and the port, with serve's settings
  kvgate healthcheck [--url URL] [--timeout-ms N]   exits 0 when a running kvgate's /healthz answers 200
  kvgate backup FILE [flags]  copies the embedded store while it serves (docs/backup.md)
  kvgate restore FILE [flags] replaces the embedded store with a backup, kvgate stopped
  kvgate migrate --from DIALECT ...  copies a hosted service's container into kvgate (docs/migrate.md)
  kvgate version              prints kvgate's version and the runtime's
every setting also reads from the environment (KVGATE_PORT, KVGATE_DATA, REDIS_URL, ...): see README.md`

/** Every dialect kvgate knows, for the commands that read the configuration. */
async function allDialects(): Promise<Dialect[]> {
  return (await import('../plugins/index.ts')).dialects
}

async function selftest(argv: string[]): Promise<void> {
  const { runSelftest } = await import('./cli/selftest.ts')
  const report = await runSelftest(argv, process.env, await allDialects())
  process.stdout.write(report.text)
  process.exit(report.ok ? 0 : 1)
}

async function healthcheck(argv: string[]): Promise<void> {
  const { runHealthcheck } = await import('./cli/healthcheck.ts')
  const result = await runHealthcheck(argv, process.env, await allDialects())
  process.stdout.write(`${result.line}\n`)
  process.exit(result.ok ? 0 : 1)
}

/** All of stdin, for `kvgate data put NS KEY -`. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array)
  const { concatBytes } = await import('./engine/bytes.ts')
  return concatBytes(...chunks)
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case 'admin': {
      const { ADMIN_USAGE, runAdmin } = await import('./cli/admin.ts')
      if (rest.length === 0 || rest.includes('--help')) {
        process.stdout.write(`${ADMIN_USAGE}\n`)
        return
      }
      const output = await runAdmin(rest, process.env, await allDialects())
      if (output !== null) process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
      return
    }
    case 'data': {
      const { DATA_USAGE, runData } = await import('./cli/data.ts')
      if (rest.length === 0 || rest.includes('--help')) {
        process.stdout.write(`${DATA_USAGE}\n`)
        return
      }
      const output = await runData(rest, process.env, await allDialects(), {
        isTTY: Boolean(process.stdout.isTTY),
        readStdin,
      })
      if (output.stderr) process.stderr.write(output.stderr)
      process.stdout.write(output.stdout)
      return
    }
    case 'export':
    case 'import': {
      const io = await import('./cli/data-io.ts')
      if (rest.includes('--help')) {
        process.stdout.write(`${command === 'export' ? io.EXPORT_USAGE : io.IMPORT_USAGE}\n`)
        return
      }
      const run = command === 'export' ? io.runExport : io.runImport
      process.exitCode = await run(rest, process.env, await allDialects())
      return
    }
    case 'selftest':
      return selftest(rest)
    case 'healthcheck':
      return healthcheck(rest)
    case 'backup':
    case 'restore': {
      const { runBackupCommand } = await import('./cli/backup.ts')
      process.stdout.write(`${await runBackupCommand(command, rest, process.env, await allDialects())}\n`)
      return
    }
    case 'migrate': {
      const { runMigrate } = await import('./cli/migrate.ts')
      const controller = new AbortController()
      // The first Ctrl-C stops after the keys under way (and says how to resume); a second one at once.
      process.once('SIGINT', () => {
        controller.abort(new Error('interrupted'))
        process.once('SIGINT', () => process.exit(130))
      })
      const { stdout, stderr } = process
      process.exitCode = await runMigrate(rest, process.env, await allDialects(), {
        stdout,
        stderr,
        signal: controller.signal,
      })
      return
    }
    case 'version':
    case '--version': {
      const [{ VERSION }, { runtimeLabel }] = await Promise.all([
        import('./version.ts'),
        import('./runtime.ts'),
      ])
      process.stdout.write(`kvgate ${VERSION} (${runtimeLabel()})\n`)
      return
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`)
      return
    case 'serve':
      return (await import('./cli/serve.ts')).serve(rest)
    default:
      if (command !== undefined && !command.startsWith('-'))
        throw new UsageError(`unknown command "${command}"\n${USAGE}`)
      return (await import('./cli/serve.ts')).serve(argv)
  }
}

main(process.argv.slice(2)).catch(async (error: unknown) => {
  if (error instanceof UsageError) fail(error.message)
  const { isKnownError } = await import('./cli/known-errors.ts')
  if (isKnownError(error)) fail(error.message)
  if (process.env.KVGATE_LOG === 'debug') console.error(error)
  fail(`unexpected error: ${(error as Error)?.message ?? String(error)}`)
})
