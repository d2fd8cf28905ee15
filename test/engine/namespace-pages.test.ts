// Every namespace of every dialect, a page at a time, as the operator's tools list them.

import { expect, test } from 'bun:test'
import { Engine } from '../../core/engine/engine.ts'
import { namespacePage } from '../../core/engine/namespace-pages.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'

test('namespaces page through in id order, filtered by dialect and owner, and end with next null', async () => {
  const engine = new Engine(new SqliteBackend({ path: ':memory:' }), { sweepIntervalMs: 0 })
  const made: string[] = []
  for (let i = 0; i < 7; i++) {
    const ns = await engine.namespaces.create({
      dialect: i % 2 ? 'a' : 'b',
      owner: i < 3 ? 'owner-1' : null,
      id: `ns-${i}`,
    })
    made.push(ns.id)
  }
  const seen: string[] = []
  let after: string | undefined
  for (;;) {
    const { namespaces, next } = await namespacePage(engine, { after, limit: 3 })
    seen.push(...namespaces.map((ns) => ns.id))
    if (next === null) break
    expect(namespaces).toHaveLength(3)
    after = next
  }
  expect(seen).toEqual(made)
  const onlyA = await namespacePage(engine, { dialect: 'a', limit: 10 })
  expect(onlyA).toEqual({ namespaces: expect.any(Array), next: null })
  expect(onlyA.namespaces.map((ns) => ns.id)).toEqual(['ns-1', 'ns-3', 'ns-5'])
  const owned = await namespacePage(engine, { owner: 'owner-1', dialect: 'b', limit: 10 })
  expect(owned.namespaces.map((ns) => ns.id)).toEqual(['ns-0', 'ns-2'])
  const exact = await namespacePage(engine, { limit: 7 })
  expect(exact.next).toBeNull()
  await engine.namespaces.delete('ns-3')
  expect((await namespacePage(engine, { dialect: 'a', limit: 10 })).namespaces.map((ns) => ns.id)).toEqual([
    'ns-1',
    'ns-5',
  ])
  await engine.close()
})
