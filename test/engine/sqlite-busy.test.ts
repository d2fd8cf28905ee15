// Another process holding SQLite's write lock past the busy timeout (5 s) makes a write fail as
// "unavailable", which dialects answer 503, rather than as an unknown error (500). It waits out
// the timeout, so the mutation run leaves it out of its per-mutant command.

import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'

test('a write that cannot get the lock within the busy timeout is unavailable, and changes nothing', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'kvgate-busy-'))
  const path = join(folder, 'busy.db')
  const engine = new Engine(openBackend({ type: 'sqlite', path, synchronous: 'normal' }), {
    sweepIntervalMs: 0,
  })
  try {
    await engine.put('ns', utf8('k'), { bytes: utf8('before') })
    const other = new DatabaseSync(path)
    other.exec('BEGIN IMMEDIATE')
    const write = engine.put('ns', utf8('k'), { bytes: utf8('blocked') })
    const outcome = await write.then(
      () => 'acknowledged',
      (error) => [error.code, error.message],
    )
    other.exec('ROLLBACK')
    other.close()
    expect(outcome).toEqual(['unavailable', 'database is busy'])
    expect(fromUtf8((await engine.get('ns', utf8('k')))!.value)).toBe('before')
    await engine.put('ns', utf8('k'), { bytes: utf8('after') })
    expect(fromUtf8((await engine.get('ns', utf8('k')))!.value)).toBe('after')
  } finally {
    await engine.close()
    rmSync(folder, { recursive: true, force: true })
  }
}, 15_000)
