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

test('filtered pages span several scan pages, and a page ending on a scan page edge still says next', async () => {
  const engine = new Engine(new SqliteBackend({ path: ':memory:' }), { sweepIntervalMs: 0 })
  const ids = Array.from({ length: 230 }, (_, i) => `ns-${String(i).padStart(3, '0')}`)
  for (const [i, id] of ids.entries()) await engine.namespaces.create({ dialect: i % 3 ? 'a' : 'b', id })
  const pages = async (query: { dialect?: string; limit: number }) => {
    const seen: string[][] = []
    let after: string | undefined
    for (;;) {
      const { namespaces, next } = await namespacePage(engine, { ...query, after })
      seen.push(namespaces.map((ns) => ns.id))
      if (next === null) return seen
      expect(next).toBe(namespaces.at(-1)!.id)
      after = next
    }
  }
  const onlyB = ids.filter((_, i) => i % 3 === 0)
  const bPages = await pages({ dialect: 'b', limit: 30 })
  expect(bPages.map((page) => page.length)).toEqual([30, 30, 17])
  expect(bPages.flat()).toEqual(onlyB)
  // 100 is the smallest scan page: a page of 100 ends exactly on the first scan page's edge.
  const hundreds = await pages({ limit: 100 })
  expect(hundreds.map((page) => page.length)).toEqual([100, 100, 30])
  expect(hundreds.flat()).toEqual(ids)
  expect((await pages({ limit: 230 })).map((page) => page.length)).toEqual([230])
  await engine.close()
})
