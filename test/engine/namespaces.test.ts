// The namespace registry's rules beyond the conformance suite: names, ids, titles with and without
// owners, and what each refusal says (dialects show several of these messages to clients).

import { afterAll, expect, test } from 'bun:test'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'
import { ManualClock } from '../support/manual-clock.ts'

const engines: Engine[] = []
afterAll(async () => {
  for (const engine of engines) await engine.close()
})

function open(clock = new ManualClock()): Engine {
  const engine = new Engine(openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' }), {
    clock,
    sweepIntervalMs: 0,
  })
  engines.push(engine)
  return engine
}

async function refusal(promise: Promise<unknown>): Promise<[string, string]> {
  try {
    await promise
  } catch (error) {
    const { code, message } = error as { code: string; message: string }
    return [code, message]
  }
  throw new Error('expected a refusal')
}

test('names with NUL and malformed ids are invalid; a malformed id is never found', async () => {
  const { namespaces } = open()
  for (const input of [
    { dialect: 'a\u0000b' },
    { dialect: 'd', owner: 'o\u0000' },
    { dialect: 'd', title: '\u0000t' },
  ]) {
    expect(await refusal(namespaces.create(input))).toEqual(['invalid', 'names must not contain NUL'])
  }
  expect(await refusal(namespaces.create({ dialect: 'd', id: '_hidden' }))).toEqual([
    'invalid',
    'a namespace id is 1 to 64 letters, digits, "-" or "_", not starting with "_"',
  ])
  expect(await namespaces.get('_system')).toBeNull()
  expect(await namespaces.get('has space')).toBeNull()
  expect(await namespaces.count({ dialect: 'd', owner: '' })).toBe(0)
})

test('a taken id is "namespace exists", a taken title "title taken", with or without an owner', async () => {
  const { namespaces } = open()
  await namespaces.create({ dialect: 'd', id: 'fixed' })
  expect(await refusal(namespaces.create({ dialect: 'd', id: 'fixed' }))).toEqual([
    'conflict',
    'namespace exists',
  ])
  await namespaces.create({ dialect: 'd', title: 'shared' })
  expect(await refusal(namespaces.create({ dialect: 'd', title: 'shared' }))).toEqual([
    'conflict',
    'title taken',
  ])
  await namespaces.create({ dialect: 'd', owner: 'o', title: 'shared' })
  await namespaces.create({ dialect: 'other', title: 'shared' })
})

test('renaming frees the old title and takes the new one; clearing a title frees it', async () => {
  const { namespaces } = open()
  const first = await namespaces.create({ dialect: 'd', owner: 'o', title: 'one' })
  const second = await namespaces.create({ dialect: 'd', owner: 'o', title: 'two' })
  expect(await refusal(namespaces.update(second.id, { title: 'one' }))).toEqual(['conflict', 'title taken'])
  await namespaces.update(first.id, { title: 'uno' })
  await namespaces.update(second.id, { title: 'one' })
  await namespaces.update(second.id, { title: null })
  expect((await namespaces.get(second.id))!.title).toBeNull()
  await namespaces.create({ dialect: 'd', owner: 'o', title: 'one' })
  await namespaces.create({ dialect: 'd', owner: 'o', title: 'two' })
  const untitled = await namespaces.create({ dialect: 'd' })
  await namespaces.update(untitled.id, { title: 'now titled' })
  expect(await refusal(namespaces.create({ dialect: 'd', title: 'now titled' }))).toEqual([
    'conflict',
    'title taken',
  ])
  // Settings alone leave the title where it is.
  await namespaces.update(untitled.id, { settings: { a: 1 } })
  expect(await refusal(namespaces.create({ dialect: 'd', title: 'now titled' }))).toEqual([
    'conflict',
    'title taken',
  ])
})

test('update: a missing namespace is not found, a stale version "namespace changed"', async () => {
  const { namespaces } = open()
  expect(await refusal(namespaces.update('missing', { title: 'x' }))).toEqual([
    'not_found',
    'namespace not found',
  ])
  const created = await namespaces.create({ dialect: 'd' })
  const changed = await namespaces.update(created.id, { settings: { n: 1 } })
  expect(
    await refusal(namespaces.update(created.id, { settings: { n: 2 } }, { ifVersion: created.version })),
  ).toEqual(['conflict', 'namespace changed'])
  await namespaces.update(created.id, { settings: { n: 3 } }, { ifVersion: changed.version })
  expect((await namespaces.get<{ n: number }>(created.id))!.settings.n).toBe(3)
})

test('deleting frees the title of a namespace without an owner, and an owner without a title', async () => {
  const { namespaces } = open()
  const titled = await namespaces.create({ dialect: 'd', title: 'free me' })
  expect(await namespaces.delete(titled.id)).toBe(true)
  await namespaces.create({ dialect: 'd', title: 'free me' })
  const owned = await namespaces.create({ dialect: 'd', owner: 'o' })
  expect(await namespaces.count({ dialect: 'd', owner: 'o' })).toBe(1)
  expect(await namespaces.delete(owned.id)).toBe(true)
  expect(await namespaces.count({ dialect: 'd', owner: 'o' })).toBe(0)
  expect(await namespaces.delete(owned.id)).toBe(false)
})

test('namespaces created in the same millisecond are listed by id', async () => {
  const { namespaces } = open()
  const made = []
  for (let i = 0; i < 5; i++) made.push((await namespaces.create({ dialect: 'd', owner: 'o' })).id)
  expect((await namespaces.list({ dialect: 'd', owner: 'o' })).map((ns) => ns.id)).toEqual(made.sort())
})
