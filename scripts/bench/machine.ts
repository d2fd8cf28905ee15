// The machine the figures come from: they mean little without it.

import { readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'

export interface Machine {
  cores: number
  cpu: string
  memoryGiB: number
  kernel: string
  bun: string
  wrk: string
  redis: string
}

export function describeMachine(): Machine {
  const cpu = cpus()[0]?.model?.trim() || modelFromProc() || 'unknown'
  // Some print their version and exit non-zero (wrk -v), so the output counts whatever the status.
  const version = (command: string[]) => {
    try {
      const result = Bun.spawnSync(command, { stdout: 'pipe', stderr: 'pipe' })
      return `${result.stdout}${result.stderr}`.split('\n')[0]!.trim() || 'unknown'
    } catch {
      return 'unknown'
    }
  }
  return {
    cores: cpus().length,
    cpu,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    bun: Bun.version,
    wrk: version(['wrk', '-v'])
      .replace(/ \[.*$/, '')
      .replace(/ Copyright.*$/, ''),
    redis: /v=(\S+)/.exec(version(['redis-server', '--version']))?.[1] ?? 'unknown',
  }
}

function modelFromProc(): string | null {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? null
  } catch {
    return null
  }
}
