// A writer process killed with SIGKILL while it acknowledges writes: after it, every acknowledged
// write is read back and the database file is intact.
//
// What this can prove: an acknowledgement comes after the write reached the operating system (its
// COMMIT returned), and SQLite recovers a file whose writer died mid-transaction. What it cannot:
// SIGKILL leaves the OS page cache in place, so it says nothing of power loss (PRAGMA synchronous
// does; see durability.test.ts), and an acknowledgement sent before COMMIT in the same turn still
// reaches the output after COMMIT, so only a COMMIT that fails shows that one (durability.test.ts).

import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { BUN, waitForLine } from '../support/process.ts'

test('a process killed with SIGKILL while acknowledging writes loses none it acknowledged, and leaves the file intact', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-crash-')), 'crash.db')
  const child = Bun.spawn([BUN, join(import.meta.dir, 'kill-writer.ts'), path], {
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

  const engine = new Engine(openBackend({ type: 'sqlite', path, synchronous: 'normal' }), {
    sweepIntervalMs: 0,
  })
  const missing: number[] = []
  for (const n of acknowledged) {
    const entry = await engine.get('crash', utf8(`key-${n}`))
    if (!entry || fromUtf8(entry.value) !== `value-${n}`) missing.push(n)
  }
  await engine.close()
  expect(missing).toEqual([])
  const check = new DatabaseSync(path)
  expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
  check.close()
  expect(acknowledged.size).toBeGreaterThanOrEqual(2000)
})
