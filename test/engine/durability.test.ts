// What makes an acknowledged SQLite write durable, checked where it is decided rather than by
// killing a process (see process-kill.test.ts for what that can and cannot show):
// - the connection's PRAGMA synchronous is the one KVGATE_SQLITE_SYNC names, read back from the
//   connection node:sqlite opened (synchronous=OFF would leave committed writes to the OS cache);
// - a COMMIT that fails rejects every write of its group, and none of them can be read afterwards,
//   whether by the same process or after a restart (a write acknowledged before its COMMIT returns
//   would be lost without anyone being told). The failure is a real full disk: the writer runs
//   under a file size limit that its group's write-ahead log cannot fit in.

import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { testKvgate } from '../support/kvgate.ts'
import { BUN, waitForLine } from '../support/process.ts'

const folder = mkdtempSync(join(tmpdir(), 'kvgate-durability-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** Every node:sqlite connection opened while `open` runs, seen by wrapping DatabaseSync's exec. */
function connectionsOpenedBy(open: () => unknown): DatabaseSync[] {
  const seen = new Set<DatabaseSync>()
  const exec = DatabaseSync.prototype.exec
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    seen.add(this)
    return exec.call(this, sql)
  }
  try {
    open()
  } finally {
    DatabaseSync.prototype.exec = exec
  }
  return [...seen]
}

const SYNCHRONOUS = { off: 0, normal: 1, full: 2 } as const

for (const [setting, expected] of [
  [undefined, SYNCHRONOUS.normal],
  ['off', SYNCHRONOUS.off],
  ['normal', SYNCHRONOUS.normal],
  ['full', SYNCHRONOUS.full],
] as const) {
  test(`KVGATE_SQLITE_SYNC=${setting ?? '(unset)'} gives the store's connection PRAGMA synchronous ${expected}`, async () => {
    const env: Record<string, string> = { KVGATE_DATA: join(folder, `sync-${setting}.db`) }
    if (setting) env.KVGATE_SQLITE_SYNC = setting
    let kvgate: ReturnType<typeof testKvgate> | undefined
    const connections = connectionsOpenedBy(() => {
      kvgate = testKvgate([], env)
    })
    try {
      expect(connections.length).toBe(1)
      const connection = connections[0]!
      expect(connection.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: expected })
      expect(connection.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' })
    } finally {
      await kvgate?.close()
    }
  })
}

const GROUP = 40
const VALUE_BYTES = 16 * 1024

test('a COMMIT that fails on a full disk rejects every write of its group, and none is readable after', async () => {
  const path = join(folder, 'full.db')
  const before = new Engine(openBackend({ type: 'sqlite', path, synchronous: 'normal' }), {
    sweepIntervalMs: 0,
  })
  await before.put('disk', utf8('before'), { bytes: utf8('kept') })
  await before.close()
  // Room for the database as it is and a little more, far less than the group's 640 KiB.
  const limitKiB = Math.ceil(statSync(path).size / 1024) + 256
  const child = Bun.spawn(
    [
      'bash',
      '-c',
      // An ignored SIGXFSZ stays ignored across exec, so going past the limit fails the write (EFBIG)
      // instead of killing the process.
      `ulimit -f ${limitKiB}; trap '' XFSZ; exec "$@"`,
      'full-disk',
      BUN,
      join(import.meta.dir, 'full-disk-writer.ts'),
      path,
      String(GROUP),
      String(VALUE_BYTES),
    ],
    { stdout: 'pipe', stderr: 'inherit' },
  )
  const report = await waitForLine(child, (line) => (line.startsWith('{') ? JSON.parse(line) : undefined))
  expect(await child.exited).toBe(0)

  expect(report.group).toHaveLength(GROUP)
  expect(report.group.filter((outcome: string) => outcome === 'acknowledged')).toEqual([])
  expect(report.readable).toEqual([])
  // The store is still usable: a write that fits is committed.
  expect([report.after, report.afterValue]).toEqual(['ok', 'small'])

  const reopened = new Engine(openBackend({ type: 'sqlite', path, synchronous: 'normal' }), {
    sweepIntervalMs: 0,
  })
  try {
    expect(fromUtf8((await reopened.get('disk', utf8('before')))!.value)).toBe('kept')
    expect(fromUtf8((await reopened.get('disk', utf8('after')))!.value)).toBe('small')
    expect(await reopened.count('disk')).toBe(2)
  } finally {
    await reopened.close()
  }
  const check = new DatabaseSync(path)
  expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
  check.close()
})
