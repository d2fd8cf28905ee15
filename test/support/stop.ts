// Starts kvgate the way a user does (npm start, npx deno, the binary), signals the process the user
// would signal, and reports what is left: the launcher's exit, any process it started still
// running, whether the port is still taken, and everything kvgate logged.

import { expect } from 'bun:test'
import { descendants, freePort, portTaken, running, waitForHealthy } from './process.ts'

export interface StopOutcome {
  /** The exit code of the process that was signalled. */
  code: number
  /** Processes it had started that still ran a few seconds after it exited. */
  leftover: number[]
  portTaken: boolean
  /** stdout and stderr of the whole process tree. */
  output: string
}

export async function startThenSignal(options: {
  /** The command, to which `--port N --host 127.0.0.1` is appended. */
  command: string[]
  signal: 'SIGTERM' | 'SIGINT' | 'SIGKILL'
  cwd: string
  env: Record<string, string | undefined>
  startTimeoutMs?: number
}): Promise<StopOutcome> {
  const port = freePort()
  const launcher = Bun.spawn([...options.command, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: options.cwd,
    env: options.env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  // Read as it comes, so a full pipe never holds anything up.
  const output = Promise.all([new Response(launcher.stdout).text(), new Response(launcher.stderr).text()])
  let tree: number[] = []
  try {
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`, options.startTimeoutMs)
    tree = descendants(launcher.pid)
    launcher.kill(options.signal)
    const code = await launcher.exited
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && (tree.some(running) || portTaken(port))) await Bun.sleep(50)
    const leftover = tree.filter(running)
    const taken = portTaken(port)
    // What is left keeps the pipes open: end it, so the output can be read, and the test can fail.
    for (const pid of leftover) process.kill(pid, 'SIGKILL')
    const [stdout, stderr] = await output
    return { code, leftover, portTaken: taken, output: stdout + stderr }
  } finally {
    launcher.kill('SIGKILL')
    for (const pid of tree.filter(running)) process.kill(pid, 'SIGKILL')
  }
}

/** The outcome of a clean stop: nothing left, the port free, kvgate's own last line logged. */
export function expectStoppedCleanly(outcome: StopOutcome): void {
  expect(outcome.leftover).toEqual([])
  expect(outcome.portTaken).toBe(false)
  expect(outcome.output).toContain('"msg":"stopped"')
}
