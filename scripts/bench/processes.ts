// Child processes of a benchmark run: started on loopback, watched for peak memory, and stopped by
// the PID this run started, never by name (other people's servers share the machine).

import { readFileSync, writeFileSync } from 'node:fs'
import { type Subprocess, spawn } from 'bun'

export interface Server {
  name: string
  url: string
  pid: number
  stop(): Promise<void>
}

const running = new Set<Subprocess>()

/** Starts a long-running child; its output goes to `logFile` so a failure can be read afterwards. */
export function startChild(
  command: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; logFile: string },
): Subprocess {
  const log = Bun.file(options.logFile)
  const child = spawn(command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: 'ignore',
    stdout: log,
    stderr: log,
  })
  running.add(child)
  child.exited.then(() => running.delete(child))
  return child
}

/** SIGTERM, then SIGKILL after a grace period, for one child this run started. */
export async function stopChild(child: Subprocess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await child.exited
  clearTimeout(timer)
}

/** Stops whatever this run still has running (on exit or interruption). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)))
}

/** A TCP port nothing listens on right now. */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

/** Polls until `probe` resolves true, or throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      if (await probe()) return
    } catch {}
    await Bun.sleep(25)
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`)
}

export const answers = (url: string, init?: RequestInit) => async () => (await fetch(url, init)).ok

/** Peak resident set size in bytes (VmHWM) of a process, or null when it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}

/**
 * CPU time a process has used so far (user + system, all threads), in seconds, or null when it is
 * gone. Per request, it tells what a server costs whatever else shares the machine's cores.
 */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start at index 2: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return null
  }
}

/** Linux's USER_HZ, which /proc/PID/stat counts in (100 on every common kernel). */
const CLOCK_TICKS = 100

/** Resets VmHWM to the current RSS (Linux clear_refs 5), so each scenario gets its own peak. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** Runs a command to completion and returns its output; throws with stderr when it fails. */
export function run(command: string[], options: { env?: Record<string, string>; cwd?: string } = {}): string {
  const result = Bun.spawnSync(command, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (result.exitCode !== 0) {
    throw new Error(
      `${command.join(' ')} failed (${result.exitCode}): ${result.stderr.toString().slice(-800)}`,
    )
  }
  return result.stdout.toString()
}

/** Path of an executable on PATH, or null. */
export function which(name: string): string | null {
  return Bun.which(name)
}

/** Installs Debian packages when `binary` is missing; returns whether it is there afterwards. */
export function ensureInstalled(binary: string, pkg: string, log: (line: string) => void): boolean {
  if (which(binary)) return true
  log(`installing ${pkg} with apt-get (${binary} is missing)`)
  const env = { DEBIAN_FRONTEND: 'noninteractive' }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n']
  for (const command of [
    [...sudo, 'apt-get', 'install', '-y', '--no-install-recommends', pkg],
    [...sudo, 'apt-get', 'update'],
    [...sudo, 'apt-get', 'install', '-y', '--no-install-recommends', pkg],
  ]) {
    try {
      run(command, { env })
      if (which(binary)) return true
    } catch (error) {
      log(`  ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return which(binary) !== null
}
