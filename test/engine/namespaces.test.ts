// The namespace registry's rules beyond the conformance suite: names, ids, titles with and without
// owners, and what each refusal says (dialects show several of these messages to clients).

import { afterAll, expect, test } from 'bun:test'
import { utf8 } from '../../core/engine/bytes.ts'
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

test('updates racing each other are each applied to the state the others left', async () => {
  const { namespaces } = open()
  const { id } = await namespaces.create({ dialect: 'd', settings: { n: 0 } })
  await Promise.all(
    Array.from({ length: 5 }, () =>
      namespaces.update<{ n: number }>(id, (current) => ({ settings: { n: current.settings.n + 1 } })),
    ),
  )
  expect((await namespaces.get<{ n: number }>(id))!.settings.n).toBe(5)
})

test('of updates racing with one ifVersion, one wins and the others are "namespace changed"', async () => {
  const { namespaces } = open()
  const created = await namespaces.create({ dialect: 'd', settings: { n: 0 } })
  const results = await Promise.allSettled(
    [1, 2, 3].map((n) => namespaces.update(created.id, { settings: { n } }, { ifVersion: created.version })),
  )
  const won = results.filter((result) => result.status === 'fulfilled')
  expect(won.length).toBe(1)
  for (const result of results) {
    if (result.status === 'rejected') {
      expect(result.reason).toMatchObject({ code: 'conflict', message: 'namespace changed' })
    }
  }
  const kept = (await namespaces.get<{ n: number }>(created.id))!
  expect(kept).toEqual((won[0] as PromiseFulfilledResult<typeof kept>).value)
})

test('deletes racing each other: exactly one deletes, the others find nothing', async () => {
  const { namespaces } = open()
  const { id } = await namespaces.create({ dialect: 'd', owner: 'o', title: 't' })
  const answers = await Promise.all([1, 2, 3].map(() => namespaces.delete(id)))
  expect(answers.filter(Boolean).length).toBe(1)
  expect(await namespaces.get(id)).toBeNull()
  expect(await namespaces.count({ dialect: 'd', owner: 'o' })).toBe(0)
})

test('an owner with more namespaces than one scan page gets them all listed', async () => {
  const { namespaces } = open()
  for (let i = 0; i < 1001; i++) await namespaces.create({ dialect: 'd', owner: 'many' })
  await namespaces.create({ dialect: 'd', owner: 'other' })
  expect((await namespaces.list({ dialect: 'd', owner: 'many' })).length).toBe(1001)
  expect(await namespaces.count({ dialect: 'd', owner: 'many' })).toBe(1001)
})

test('records in the stored layout of the system namespace are read, and their titles are taken', async () => {
  // The layout is persisted: a store written by an earlier kvgate must still read the same.
  const engine = open()
  const record = { dialect: 'd', owner: 'o', title: 'Shop', settings: { a: 1 }, createdAt: 5 }
  const json = (value: unknown) => ({ bytes: utf8(JSON.stringify(value)), kind: 'json' as const })
  await engine.put('_system', utf8('ns\u0000old-one'), json(record))
  await engine.put('_system', utf8('title\u0000d\u0000o\u0000Shop'), { bytes: utf8('old-one') })
  await engine.put('_system', utf8('owned\u0000d\u0000o\u0000old-one'), { bytes: new Uint8Array(0) })
  expect(await engine.namespaces.get('old-one')).toMatchObject({ id: 'old-one', ...record })
  expect((await engine.namespaces.list({ dialect: 'd', owner: 'o' })).map((ns) => ns.id)).toEqual(['old-one'])
  expect(await refusal(engine.namespaces.create({ dialect: 'd', owner: 'o', title: 'Shop' }))).toEqual([
    'conflict',
    'title taken',
  ])
  // Titles are per dialect and owner: the same one is free under another owner.
  await engine.namespaces.create({ dialect: 'd', owner: 'p', title: 'Shop' })
})

test("an owner's namespaces are listed oldest first, whatever order their ids fall in", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1))
  const { namespaces } = open(clock)
  const made = []
  for (let i = 0; i < 6; i++) {
    made.push((await namespaces.create({ dialect: 'd', owner: 'o' })).id)
    clock.advance(-1000)
  }
  expect((await namespaces.list({ dialect: 'd', owner: 'o' })).map((ns) => ns.id)).toEqual(made.reverse())
})

test('a store refusal other than a conflict is passed on by create and update, not called a taken title', async () => {
  const engine = new Engine(openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' }), {
    sweepIntervalMs: 0,
    limits: { maxKeyBytes: 40 },
  })
  engines.push(engine)
  const long = 'x'.repeat(50)
  expect(await refusal(engine.namespaces.create({ dialect: 'd', title: long }))).toEqual([
    'too_large',
    'key is longer than 40 bytes',
  ])
  const { id } = await engine.namespaces.create({ dialect: 'd', title: 'short' })
  expect(await refusal(engine.namespaces.update(id, { title: long }))).toEqual([
    'too_large',
    'key is longer than 40 bytes',
  ])
  expect((await engine.namespaces.get(id))!.title).toBe('short')
})
