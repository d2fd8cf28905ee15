// `kvgate backup FILE` and `kvgate restore FILE`, with serve's store flags and environment. Both work
// on the embedded store only: Redis keeps its own backups (BGSAVE snapshots, AOF), which kvgate does
// not pretend to replace. On a terminal each prints a readable line (backup a progress line first);
// otherwise one JSON line.

import { spawn } from 'node:child_process'
import { rmSync, statSync } from 'node:fs'
import type { BackupResult } from '../backup/snapshot.ts'
import type { DialectSettings } from '../config.ts'
import { loadConfig, storeLabel } from '../config.ts'
import { UsageError } from './fail.ts'
import { progressLine } from './progress.ts'

export const BACKUP_USAGE = `usage:
  kvgate backup FILE [--data DB | --config FILE]    copies the embedded store, even while a kvgate serves it
  kvgate restore FILE [--data DB | --config FILE]   replaces the embedded store with a backup (kvgate stopped)`

export async function runBackupCommand(
  command: 'backup' | 'restore',
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: DialectSettings[],
): Promise<string> {
  const [file, ...flags] = argv
  if (!file || file.startsWith('-')) throw new UsageError(`${command} needs a FILE\n${BACKUP_USAGE}`)
  const config = loadConfig({ env, argv: flags, dialects })
  if (config.store.type !== 'sqlite') {
    throw new UsageError(
      `${command} works on the embedded store, and this one is ${storeLabel(config.store)}: Redis backups are Redis's own (BGSAVE or the AOF file; see its persistence docs); kvgate export writes a portable copy of any store`,
    )
  }
  const [{ BackupError, backupDatabase }, { restoreDatabase }] = await Promise.all([
    import('../backup/snapshot.ts'),
    import('../backup/restore.ts'),
  ])
  const tty = process.stdout.isTTY === true
  try {
    if (command === 'backup') {
      const result = tty
        ? await watchedBackup(config.store.path, file)
        : backupDatabase(config.store.path, file)
      return tty
        ? `backup written: ${result.file}, ${formatBytes(result.bytes)} in ${result.ms} ms (integrity check passed)`
        : JSON.stringify({ command, ok: true, ...result })
    }
    const result = restoreDatabase(file, config.store.path)
    return tty
      ? `restored ${result.file} from ${file}: ${result.entries} entries in ${result.namespaces} namespaces, ${result.ms} ms`
      : JSON.stringify({ command, ok: true, from: file, ...result })
  } catch (error) {
    if (error instanceof BackupError) throw new UsageError(error.message)
    throw error
  }
}

/**
 * On a terminal: the backup runs in a child process (VACUUM INTO holds its thread until it is done)
 * while this one shows how far the copy has grown against the database's size. Ctrl-C stops both;
 * the unfinished copy is removed, and a backup is all or nothing, so running it again is the resume.
 */
async function watchedBackup(source: string, file: string): Promise<BackupResult> {
  const { ownExecutable } = await import('../runtime.ts')
  const command = [...ownExecutable(), 'backup', file, '--data', source]
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const total = sizeOf(source) + sizeOf(`${source}-wal`)
  const progress = progressLine(process.stderr, 'KiB')
  const timer = setInterval(
    () => progress.update(Math.round(sizeOf(`${file}.partial`) / 1024), Math.round(total / 1024)),
    100,
  )
  let interrupted = false
  const onInterrupt = () => {
    interrupted = true
    child.kill('SIGINT')
  }
  process.once('SIGINT', onInterrupt)
  // A child ended by a signal (Ctrl-C reaches the whole foreground group) counts as interrupted.
  const code = await new Promise<number>((resolve) =>
    child.on('close', (exit, signal) => resolve(signal ? 130 : (exit ?? 1))),
  )
  clearInterval(timer)
  process.off('SIGINT', onInterrupt)
  progress.done()
  if (interrupted || code === 130) {
    for (const leftover of [`${file}.partial`, `${file}.partial-journal`]) rmSync(leftover, { force: true })
    throw new UsageError(
      'backup stopped by Ctrl-C: nothing was written (a backup is whole or absent); run it again',
    )
  }
  if (code !== 0) throw new UsageError(stderr.trim().replace(/^kvgate: /, '') || `backup exited with ${code}`)
  return JSON.parse(stdout.trim()) as BackupResult
}

const sizeOf = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
