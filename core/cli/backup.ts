// `kvgate backup FILE` and `kvgate restore FILE`, with serve's store flags and environment. Both work
// on the embedded store only: Redis keeps its own backups (BGSAVE snapshots, AOF), which kvgate does
// not pretend to replace. On a terminal each prints a readable line; otherwise one JSON line.

import type { DialectSettings } from '../config.ts'
import { loadConfig, storeLabel } from '../config.ts'
import { UsageError } from './fail.ts'

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
      if (tty) process.stdout.write(`backing up ${config.store.path} to ${file}...\n`)
      const result = backupDatabase(config.store.path, file)
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

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
