import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { InvalidError } from '../../core/engine/errors.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { Database } from '../../core/engine/sqlite/database.ts'
import { GroupCommit } from '../../core/engine/sqlite/group-commit.ts'
import { changeLogConformance } from './change-log.ts'
import { engineConformance } from './conformance.ts'

engineConformance('sqlite', { backend: () => new SqliteBackend({ path: ':memory:' }) })

const value = (text: string) => ({
  bytes: utf8(text),
  kind: 'text' as const,
  contentType: null,
  metadata: null,
  expiresAt: null,
})

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

test('a read cache never serves what another process has since changed', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-cache-')), 'shared.db')
  const writer = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const reader = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const read = async () => {
    await nextTurn()
    const entry = await reader.get('ns', utf8('k'))
    return entry && fromUtf8(entry.value)
  }
  expect(await read()).toBeNull()
  await writer.put('ns', utf8('k'), { bytes: utf8('one') })
  expect(await read()).toBe('one')
  expect(await read()).toBe('one')
  await writer.put('ns', utf8('k'), { bytes: utf8('two') })
  expect(await read()).toBe('two')
  await writer.delete('ns', utf8('k'))
  expect(await read()).toBeNull()
  await writer.close()
  await reader.close()
})

test('a namespace changed by another process is seen at once, though its records are parsed once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-ns-')), 'shared.db')
  const writer = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const reader = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  const created = await writer.namespaces.create({ dialect: 'test', settings: { n: 1 } })
  await nextTurn()
  expect((await reader.namespaces.get(created.id))?.settings).toEqual({ n: 1 })
  await writer.namespaces.update(created.id, { settings: { n: 2 } })
  await nextTurn()
  expect((await reader.namespaces.get(created.id))?.settings).toEqual({ n: 2 })
  await writer.namespaces.delete(created.id)
  await nextTurn()
  expect(await reader.namespaces.get(created.id)).toBeNull()
  await writer.close()
  await reader.close()
})

changeLogConformance('sqlite', {
  backend: (changeLog) => new SqliteBackend({ path: ':memory:', changeLog }),
  shared: false,
})

test('a data file made before the change log gets its revision column, and logs from then on', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-old-')), 'old.db')
  const { DatabaseSync } = await import('node:sqlite')
  const old = new DatabaseSync(path)
  old.exec(
    'CREATE TABLE namespace_state (ns TEXT PRIMARY KEY, version INTEGER NOT NULL, stored_keys INTEGER NOT NULL) WITHOUT ROWID',
  )
  old.exec("INSERT INTO namespace_state VALUES ('ns', 7, 0)")
  old.close()
  const engine = new Engine(new SqliteBackend({ path }), { sweepIntervalMs: 0 })
  expect((await engine.put('ns', utf8('k'), { bytes: utf8('v') })).version).toBe(8)
  expect((await engine.changes('ns', 0)).changes.map((change) => [change.revision, change.version])).toEqual([
    [1, 8],
  ])
  await engine.close()
})

test('a namespace is dropped a batch at a time: its entries, then its list items, then its state', async () => {
  const backend = new SqliteBackend({ path: ':memory:' })
  const engine = new Engine(backend, { sweepIntervalMs: 0 })
  for (const ns of ['doomed', 'kept']) {
    for (let i = 0; i < 5; i++) await engine.put(ns, utf8(`k${i}`), { bytes: utf8('v') })
    await engine.listWrite(ns, utf8('list'), ['1', '2', '3', '4'])
  }
  expect(await engine.get('doomed', utf8('k0'))).not.toBeNull() // now in the read cache
  const calls: boolean[] = []
  do calls.push(await backend.dropNamespace('doomed', 3))
  while (!calls.at(-1))
  // 3 entries; 2 entries and 1 item; 3 items (a whole batch, so maybe more); nothing left.
  expect(calls).toEqual([false, false, false, true])
  expect(await engine.count('doomed')).toBe(0)
  expect(await engine.get('doomed', utf8('k0'))).toBeNull()
  expect(await engine.listKeys('doomed')).toEqual([])
  expect(await engine.count('kept')).toBe(5)
  expect(await engine.listRead('kept', utf8('list'))).toEqual(['1', '2', '3', '4'])
  // The namespace's version counter went with it: its next write starts again at 1.
  expect((await engine.put('doomed', utf8('again'), { bytes: utf8('v') })).version).toBe(1)
  await engine.close()
})

test('the backend answers ping while open; closed, every call is refused as unavailable, not thrown', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'kvgate-close-')), 'not', 'there', 'yet.db')
  const backend = new SqliteBackend({ path })
  expect(backend.name).toBe('sqlite')
  await backend.ping()
  // A write still queued when close begins is committed before the file closes.
  const queued = backend.put('ns', utf8('k'), value('v'), {}, 0)
  await backend.close()
  expect(await queued).toBe(1)
  await backend.close()
  await expect(backend.ping()).rejects.toMatchObject({
    code: 'unavailable',
    reason: 'closed',
    message: 'store is closed',
  })
  await expect(backend.put('ns', utf8('k'), value('w'), {}, 0)).rejects.toMatchObject({
    code: 'unavailable',
    reason: 'closed',
    message: 'store is closed',
  })
  await expect(backend.get('ns', utf8('other'), 0)).rejects.toThrow()
  const reopened = new SqliteBackend({ path })
  expect(fromUtf8((await reopened.get('ns', utf8('k'), 0))!.value)).toBe('v')
  await reopened.close()
})

test('a write failing with SQLITE_BUSY or SQLITE_LOCKED, extended codes too, is "unavailable"; others pass', async () => {
  const database = new Database(':memory:')
  const writer = new GroupCommit(database)
  const failure = (error: unknown) =>
    writer
      .write(() => {
        throw error
      })
      .catch((caught) => caught)
  for (const errcode of [5, 6, 5 | (1 << 8), 6 | (1 << 8), 5 | (2 << 8)]) {
    expect(await failure(Object.assign(new Error('sqlite'), { errcode }))).toMatchObject({
      code: 'unavailable',
      reason: 'busy',
      message: 'database is busy',
    })
  }
  for (const errcode of [1, 19, 13, 4, 7, undefined]) {
    const error = Object.assign(new Error('sqlite'), { errcode })
    expect(await failure(error)).toBe(error)
  }
  const refused = new InvalidError('key', 'mine')
  expect(await failure(refused)).toBe(refused)
  await writer.close()
  database.close()
})
