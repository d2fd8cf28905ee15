// `kvgate backup` under a steady write load (a serving kvgate, written through KVdb), `kvgate restore`
// (refused while a server holds the database, then a round trip), the Redis refusal, and the backups
// the serving process schedules itself, with their retention.

import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { runKvgate, startKvgateChild } from '../support/process.ts'

const folder = mkdtempSync(join(tmpdir(), 'kvgate-backup-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** Runs a kvgate command to its end (not on a TTY: its summary is one JSON line). */
const kvgate = (args: string[], env: Record<string, string>) => runKvgate(args, env)

const SERVER_ENV = { KVGATE_LOG: 'warn', KVGATE_KVDB_RATE_LIMIT: '0' }

async function createBucket(url: string): Promise<string> {
  const response = await fetch(`${url}/kvdb`, {
    method: 'POST',
    body: new URLSearchParams({ default_ttl: '0' }),
  })
  expect(response.status).toBe(200)
  return (await response.text()).trim()
}

/** The keys (as text) stored in a database file: whatever namespace holds them. */
function keysIn(path: string): Set<string> {
  const database = new DatabaseSync(path, { readOnly: true })
  try {
    const rows = database.prepare('SELECT key FROM entries').all() as { key: Uint8Array }[]
    return new Set(rows.map((row) => new TextDecoder().decode(row.key)))
  } finally {
    database.close()
  }
}

describe('kvgate backup and restore (embedded store)', () => {
  const data = join(folder, 'load', 'kvgate.db')
  const backupFile = join(folder, 'load-backup.db')
  const env = { KVGATE_DATA: data }

  test('a backup under a steady write load holds every write acknowledged before it began, and restores', async () => {
    const server = await startKvgateChild({ ...SERVER_ENV, ...env })
    try {
      const bucket = await createBucket(server.url)
      const acknowledged: string[] = []
      let writing = true
      let next = 0
      const writer = async () => {
        while (writing) {
          const key = `k${String(next++).padStart(6, '0')}`
          const response = await fetch(`${server.url}/kvdb/${bucket}/${key}`, {
            method: 'POST',
            body: `value of ${key}`,
          })
          expect(response.status).toBe(200)
          acknowledged.push(key)
        }
      }
      const writers = Array.from({ length: 4 }, writer)
      while (acknowledged.length < 300) await Bun.sleep(5)
      const before = [...acknowledged]
      const result = await kvgate(['backup', backupFile], env)
      const duringBackup = acknowledged.length - before.length
      // Keep writing a little after the backup, so the server holds writes the backup does not.
      const after = acknowledged.length
      while (acknowledged.length < after + 50) await Bun.sleep(5)
      writing = false
      await Promise.all(writers)

      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const summary = JSON.parse(result.stdout)
      expect(summary).toMatchObject({ command: 'backup', ok: true, file: backupFile })
      console.log(
        `backup: ${summary.bytes} bytes in ${summary.ms} ms; ${duringBackup} writes acknowledged meanwhile`,
      )

      const check = new DatabaseSync(backupFile, { readOnly: true })
      expect(check.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
      check.close()
      const backedUp = keysIn(backupFile)
      expect(before.filter((key) => !backedUp.has(key))).toEqual([])
      const last = acknowledged.at(-1)!
      expect(backedUp.has(last)).toBe(false)

      // Restore is refused while the server holds the database.
      const refused = await kvgate(['restore', backupFile], env)
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain('is open in another process')
      expect(keysIn(data).has(last)).toBe(true)

      expect(await server.stop()).toBe(0)
      const restored = await kvgate(['restore', backupFile], env)
      expect(restored.stderr).toBe('')
      expect(restored.code).toBe(0)
      expect(JSON.parse(restored.stdout)).toMatchObject({
        command: 'restore',
        ok: true,
        entries: backedUp.size,
      })

      const again = await startKvgateChild({ ...SERVER_ENV, ...env })
      try {
        const read = (key: string) => fetch(`${again.url}/kvdb/${bucket}/${key}`)
        const first = await read(before[0]!)
        expect(first.status).toBe(200)
        expect(await first.text()).toBe(`value of ${before[0]}`)
        expect((await read(last)).status).toBe(404)
        // The restored store takes writes again (its counters came with it).
        expect((await fetch(`${again.url}/kvdb/${bucket}/after`, { method: 'POST', body: 'x' })).status).toBe(
          200,
        )
      } finally {
        await again.stop()
      }
    } finally {
      await server.stop()
    }
  }, 60_000)

  test('a backup never overwrites a file, and restore refuses what is no sound kvgate database', async () => {
    const exists = await kvgate(['backup', backupFile], env)
    expect(exists.code).not.toBe(0)
    expect(exists.stderr).toContain('exists already')

    const garbage = join(folder, 'garbage.db')
    writeFileSync(garbage, 'SQLite format 3\0 but not really a database '.repeat(200))
    const corrupt = await kvgate(['restore', garbage], env)
    expect(corrupt.code).not.toBe(0)
    expect(corrupt.stderr).toContain('integrity_check')

    const other = join(folder, 'other.db')
    const database = new DatabaseSync(other)
    database.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)')
    database.close()
    const foreign = await kvgate(['restore', other], env)
    expect(foreign.code).not.toBe(0)
    expect(foreign.stderr).toContain('no kvgate backup')
  }, 30_000)

  test('on Redis, backup says that Redis backs itself up, and fails', async () => {
    const result = await kvgate(['backup', join(folder, 'never.db')], { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain("Redis backups are Redis's own (BGSAVE or the AOF file")
    expect(existsSync(join(folder, 'never.db'))).toBe(false)
  })
})

describe('scheduled backups (KVGATE_BACKUP_INTERVAL)', () => {
  test('the serving process backs up every interval and keeps the newest KVGATE_BACKUP_KEEP', async () => {
    const dir = join(folder, 'scheduled')
    const server = await startKvgateChild({
      ...SERVER_ENV,
      KVGATE_LOG: 'info',
      KVGATE_LOG_FORMAT: 'json',
      KVGATE_DATA: join(folder, 'scheduled-data', 'kvgate.db'),
      KVGATE_BACKUP_INTERVAL: '1s',
      KVGATE_BACKUP_DIR: dir,
      KVGATE_BACKUP_KEEP: '2',
    })
    try {
      await createBucket(server.url)
      await server.printed('"msg":"old backup deleted"', 20_000)
      const kept = readdirSync(dir)
      expect(kept.length).toBeLessThanOrEqual(2)
      for (const name of kept) {
        expect(name).toMatch(/^kvgate-\d{8}T\d{9}Z\.db$/)
        const database = new DatabaseSync(join(dir, name), { readOnly: true })
        expect(database.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
        database.close()
      }
    } finally {
      await server.stop()
    }
  }, 30_000)
})
