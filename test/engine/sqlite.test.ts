import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { changeLogConformance } from './change-log.ts'
import { engineConformance } from './conformance.ts'

engineConformance('sqlite', { backend: () => new SqliteBackend({ path: ':memory:' }) })

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
