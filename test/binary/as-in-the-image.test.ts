// The binary run the way docs/deploy/Dockerfile runs it: as a user that is not root, from a program
// folder it cannot write, with its data in a folder of its own; it serves, answers its own
// healthcheck, and stops cleanly on SIGTERM and SIGINT.

import { afterAll, describe, expect, test } from 'bun:test'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kvgateBinary } from '../support/binary.ts'
import { freePort, waitForHealthy } from '../support/process.ts'
import { expectStoppedCleanly, startThenSignal } from '../support/stop.ts'

const NOBODY = 65534
const root = mkdtempSync(join(tmpdir(), 'kvgate-image-'))
const program = join(root, 'program')
const data = join(root, 'data')
const binary = join(program, 'kvgate')
mkdirSync(program)
copyFileSync(kvgateBinary(), binary)
chmodSync(binary, 0o555)
chmodSync(program, 0o555)
chmodSync(root, 0o755)
mkdirSync(data, { mode: 0o700 })
// As root (CI, and the image's build), drop to nobody as the image drops to its non-root user; as
// anyone else, the test already runs without root.
const asRoot = process.getuid?.() === 0
if (asRoot) chownSync(data, NOBODY, NOBODY)
const asUser = asRoot
  ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--']
  : []
afterAll(() => rmSync(root, { recursive: true, force: true }))

// As the image sets it: no PATH to tools, data in its own folder.
const env = {
  PATH: '/usr/bin:/bin',
  HOME: data,
  KVGATE_DATA: join(data, 'kvgate.db'),
  KVGATE_LOG: 'info',
  KVGATE_LOG_FORMAT: 'json',
}

const run = (args: string[], extra: Record<string, string> = {}) => {
  const result = Bun.spawnSync([...asUser, binary, ...args], {
    cwd: program,
    env: { ...env, ...extra },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

describe('the binary as the container image runs it', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`serves as a non-root user from a read-only folder, and stops on ${signal}`, async () => {
      const outcome = await startThenSignal({ command: [...asUser, binary], signal, cwd: program, env })
      expectStoppedCleanly(outcome)
      expect(outcome.code).toBe(0)
      expect(outcome.output).toContain(`"msg":"shutting down","signal":"${signal}"`)
      expect(readdirSync(program)).toEqual(['kvgate'])
      expect(readdirSync(data)).toContain('kvgate.db')
      if (asRoot) expect(statSync(join(data, 'kvgate.db')).uid).toBe(NOBODY)
    }, 30_000)
  }

  test('kvgate healthcheck exits 0 while /healthz answers 200, and 1 when nothing answers', async () => {
    const port = freePort()
    const server = Bun.spawn([...asUser, binary, '--host', '127.0.0.1'], {
      cwd: program,
      env: { ...env, KVGATE_PORT: String(port) },
      stdout: 'ignore',
      stderr: 'ignore',
    })
    try {
      await waitForHealthy(`http://127.0.0.1:${port}/healthz`)
      // As the image's HEALTHCHECK calls it: the port from the environment, loopback for 0.0.0.0.
      const healthy = run(['healthcheck'], { KVGATE_PORT: String(port) })
      expect(healthy.stdout).toBe(
        `healthy: http://127.0.0.1:${port}/healthz: 200 {"status":"ok","backend":"sqlite"}\n`,
      )
      expect(healthy.code).toBe(0)
      expect(run(['healthcheck', '--url', `http://127.0.0.1:${port}`]).code).toBe(0)
    } finally {
      server.kill('SIGTERM')
      expect(await server.exited).toBe(0)
    }
    const down = run(['healthcheck', '--url', `http://127.0.0.1:${port}`, '--timeout-ms', '2000'])
    expect(down.stdout).toStartWith(`unhealthy: http://127.0.0.1:${port}/healthz: `)
    expect(down.code).toBe(1)
  }, 30_000)

  test('kvgate selftest passes there too, and writes only in the data folder', () => {
    const { code, stdout } = run(['selftest', '--port', String(freePort())])
    expect(stdout).toEndWith('all 4 checks passed\n')
    expect(code).toBe(0)
    expect(readdirSync(program)).toEqual(['kvgate'])
  })
})
