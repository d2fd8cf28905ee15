// Scheduled backups of the embedded store (KVGATE_BACKUP_INTERVAL), taken by the serving process.
// Each one is `kvgate backup FILE` in a child process: VACUUM INTO is synchronous, and in a process
// of its own it never holds up the server's event loop. After a backup that worked, the oldest
// backups beyond KVGATE_BACKUP_KEEP are deleted; a failed one deletes nothing.

import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { BackupSchedule } from '../config.ts'
import type { Logger } from '../log.ts'
import { ownExecutable } from '../runtime.ts'

/** kvgate-20260102T030405123Z.db: names that sort by time, and the only files retention deletes. */
const BACKUP_NAME = /^kvgate-\d{8}T\d{9}Z\.db$/

export function backupName(at: Date): string {
  return `kvgate-${at.toISOString().replace(/[-:.]/g, '')}.db`
}

/** Starts the schedule; the function it returns stops it (a backup under way finishes). */
export function scheduleBackups(schedule: BackupSchedule, dataPath: string, log: Logger): () => void {
  let running = false
  const timer = setInterval(() => {
    // A backup slower than the interval is not stacked on another.
    if (running) return
    running = true
    void takeBackup(schedule, dataPath, log).finally(() => {
      running = false
    })
  }, schedule.intervalMs)
  timer.unref?.()
  return () => clearInterval(timer)
}

async function takeBackup(schedule: BackupSchedule, dataPath: string, log: Logger): Promise<void> {
  const file = join(schedule.dir, backupName(new Date()))
  try {
    mkdirSync(schedule.dir, { recursive: true })
    const { code, output } = await run([...ownExecutable(), 'backup', file, '--data', dataPath])
    if (code !== 0) throw new Error(output.trim() || `kvgate backup exited with ${code}`)
    const summary = JSON.parse(output.trim().split('\n').pop()!) as { bytes: number; ms: number }
    log.info('backup written', { file, bytes: summary.bytes, ms: summary.ms })
    for (const old of pruneBackups(schedule.dir, schedule.keep)) log.info('old backup deleted', { file: old })
  } catch (error) {
    log.error('backup failed', { file, error: (error as Error)?.message ?? String(error) })
  }
}

/** Deletes the oldest backups in `dir` beyond the newest `keep`; returns what it deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const backups = readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
  const old = backups.slice(0, Math.max(0, backups.length - keep)).map((name) => join(dir, name))
  for (const file of old) rmSync(file, { force: true })
  return old
}

function run(command: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Not a TTY, so the command prints its one-line JSON summary; the schedule is not its business.
      env: { ...process.env, KVGATE_BACKUP_INTERVAL: '', KVGATE_BACKUP_DIR: '' },
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}
