// SIGTERM and SIGINT stop kvgate cleanly however it was started, when sent to the process the user
// started: `npm start` (npm, then kvgate), `npm run start:deno`, `npx deno run` (npx, a shell, then
// Deno). Nothing may be left running, and the port must be free. The binary's turn is in test/binary.

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childEnv, ROOT } from '../support/process.ts'
import { expectStoppedCleanly, startThenSignal } from '../support/stop.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-signals-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const NPM = Bun.which('npm')!
const NPX = Bun.which('npx')!
// PATH as `npm start` would have it, with Bun and Deno from node_modules/.bin.
const env = (name: string) =>
  childEnv({
    PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}`,
    KVGATE_DATA: join(dir, `${name}.db`),
    KVGATE_LOG: 'info',
    KVGATE_LOG_FORMAT: 'json',
  })

describe('stopping kvgate started by npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to npm stops kvgate, frees the port and leaves no bun process`, async () => {
      const outcome = await startThenSignal({
        command: [NPM, 'start', '--'],
        signal,
        cwd: ROOT,
        env: env(`npm-${signal}`),
      })
      expectStoppedCleanly(outcome)
      // npm passed the signal on: kvgate saw it, and npm ends as kvgate did.
      expect(outcome.output).toContain(`"msg":"shutting down","signal":"${signal}"`)
      expect(outcome.code).toBe(0)
    }, 30_000)
  }
})

test('when npm is killed outright, kvgate stops by itself', async () => {
  const outcome = await startThenSignal({
    command: [NPM, 'start', '--'],
    signal: 'SIGKILL',
    cwd: ROOT,
    env: env('npm-kill'),
  })
  expectStoppedCleanly(outcome)
  expect(outcome.output).toContain('"msg":"shutting down","signal":"parent exited"')
}, 30_000)

describe('stopping kvgate started under Deno', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to npm run start:deno stops kvgate, frees the port and leaves no deno process`, async () => {
      const outcome = await startThenSignal({
        command: [NPM, 'run', 'start:deno', '--'],
        signal,
        cwd: ROOT,
        env: env(`deno-${signal}`),
        startTimeoutMs: 60_000,
      })
      expectStoppedCleanly(outcome)
      expect(outcome.output).toContain(`"msg":"shutting down","signal":"${signal}"`)
      expect(outcome.code).toBe(0)
    }, 90_000)
  }

  // npx runs Deno through a shell that a SIGTERM ends without passing it on: kvgate notices that
  // its parent is gone. (A SIGINT sent to npx alone stays with that shell, which waits for Deno;
  // Ctrl-C at a terminal reaches every process of the group, Deno too.)
  test('SIGTERM to npx deno run stops kvgate as its parent shell goes', async () => {
    const outcome = await startThenSignal({
      command: [NPX, 'deno', 'run', '-A', 'core/main.ts'],
      signal: 'SIGTERM',
      cwd: ROOT,
      env: env('npx-deno'),
      startTimeoutMs: 60_000,
    })
    expectStoppedCleanly(outcome)
    expect(outcome.output).toContain('"msg":"shutting down","signal":"parent exited"')
  }, 90_000)
})
