// The compiled executable under test: $KVGATE_BINARY when CI built it already, else a fresh build.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, ROOT } from './process.ts'

export function kvgateBinary(): string {
  if (process.env.KVGATE_BINARY) return process.env.KVGATE_BINARY
  const outfile = join(mkdtempSync(join(tmpdir(), 'kvgate-build-')), 'kvgate')
  const build = Bun.spawnSync([BUN, join(ROOT, 'scripts/build.ts'), outfile], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`)
  return outfile
}
