import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { BUN, waitForLine } from '../support/process.ts'

test('a process killed with SIGKILL right after acknowledging writes loses none of them', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-crash-')), 'crash.db')
  const child = Bun.spawn([BUN, join(import.meta.dir, 'crash-writer.ts'), path], {
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const acknowledged = new Set<number>()
  await waitForLine(child, (line) => {
    const match = /^ack (\d+)$/.exec(line)
    if (match) acknowledged.add(Number(match[1]))
    return acknowledged.size >= 2000 ? true : undefined
  })
  child.kill('SIGKILL')
  await child.exited
  expect(child.signalCode).toBe('SIGKILL')

  const engine = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const missing: number[] = []
  for (const n of acknowledged) {
    const entry = await engine.get('crash', utf8(`key-${n}`))
    if (!entry || fromUtf8(entry.value) !== `value-${n}`) missing.push(n)
  }
  await engine.close()
  expect(missing).toEqual([])
  expect(acknowledged.size).toBeGreaterThanOrEqual(2000)
})
