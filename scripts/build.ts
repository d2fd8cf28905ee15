// Compiles kvgate into one executable (dist/kvgate, or the path given), with wasmoon's glue.wasm
// and every dependency inside, so it runs from an empty folder with no node_modules.
//
// Start-up is most of what a short-lived command costs, so the modules go in as bytecode (parsing
// the bundle took longer than all else `kvgate --help` does, some 40 ms against 15 ms here), laid
// out by a profile: a first build is started the two common ways (serving until /healthz answers,
// and --help) with BUN_BYTECODE_ORDER_OUT set, and the second build puts the bytecode those runs
// used first (about 5 ms less to a first response). Should the profiling run fail, the first build
// stands, with a warning. Bytecode rules out top-level await in the entry's module graph: the
// build fails if one appears.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const outfile = process.argv[2] ?? join(root, 'dist/kvgate')

function compile(extra: string[]): void {
  const build = Bun.spawnSync(
    [
      process.execPath,
      'build',
      '--compile',
      '--minify',
      '--bytecode',
      ...extra,
      join(root, 'core/main.ts'),
      '--outfile',
      outfile,
    ],
    { cwd: root, stdout: 'inherit', stderr: 'inherit' },
  )
  if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
}

/** Runs the executable as it is usually started, recording the bytecode each start uses. */
async function recordStarts(dir: string): Promise<string[]> {
  // Only what these runs need: kvgate refuses KVGATE_* variables it does not know.
  const env = (order: string) => ({
    PATH: process.env.PATH ?? '',
    KVGATE_DATA: join(dir, 'kvgate.db'),
    KVGATE_LOG: 'warn',
    BUN_BYTECODE_ORDER_OUT: order,
  })
  const serveOrder = join(dir, 'serve.order')
  const port = freePort()
  const server = Bun.spawn([outfile, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: dir,
    env: env(serveOrder),
    stdout: 'ignore',
    stderr: 'inherit',
  })
  try {
    await untilHealthy(`http://127.0.0.1:${port}/healthz`)
  } finally {
    server.kill('SIGTERM')
    await server.exited
  }
  const helpOrder = join(dir, 'help.order')
  const help = Bun.spawnSync([outfile, '--help'], { cwd: dir, env: env(helpOrder), stdout: 'ignore' })
  if (help.exitCode !== 0) throw new Error(`kvgate --help exited with ${help.exitCode}`)
  // The most common start first.
  return [serveOrder, helpOrder]
}

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

async function untilHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return
    } catch {}
    await Bun.sleep(5)
  }
  throw new Error(`${url} did not answer 200 within 10 s`)
}

compile([])
const dir = mkdtempSync(join(tmpdir(), 'kvgate-start-profile-'))
try {
  const orders = await recordStarts(dir)
  compile([`--bytecode-order=${orders.join(',')}`])
} catch (error) {
  console.warn(`built without a start-up profile: ${(error as Error).message}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`built ${outfile}`)
