// Lists: ordered sets of primitives, slice bounds, the value parameter, limits and atomicity.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

describeEachStoreAndMount('lightkv: lists', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
  })
  afterAll(() => kv.close())

  const read = async (key: string) => (await kv.get(`/list/read?key=${encodeURIComponent(key)}`)).body

  test('write keeps the first occurrence of each value, by JSON value equality', async () => {
    const answer = await kv.call('POST', '/list/write', {
      raw: '{"key": "set", "values": ["a", "b", "a", 1, "1", 1.0, 1e0, true, null, null, "null", false]}',
    })
    expect(answer.text).toBe(
      '{"ok":true,"data":{"key":"set","values":["a","b",1,"1",true,null,"null",false]}}',
    )
    expect(await read('set')).toEqual({ ok: true, data: ['a', 'b', 1, '1', true, null, 'null', false] })
  })

  test('numbers keep the text of their first occurrence', async () => {
    await kv.call('POST', '/list/write', {
      raw: '{"key": "digits", "values": [1.50, 1.5, 99999999999999999999]}',
    })
    expect((await kv.get('/list/read?key=digits')).text).toBe(
      '{"ok":true,"data":[1.50,99999999999999999999]}',
    )
  })

  test('add appends new values in order and creates a missing list', async () => {
    expect((await kv.post('/list/add', { key: 'fresh', values: ['x', 'y', 'x'] })).body).toEqual({
      ok: true,
      data: { key: 'fresh', values: ['x', 'y'] },
    })
    expect((await kv.post('/list/add', { key: 'fresh', values: ['z', 'y', 'w', 'z'] })).body).toEqual({
      ok: true,
      data: { key: 'fresh', values: ['x', 'y', 'z', 'w'] },
    })
  })

  test('write replaces, and may create an empty list', async () => {
    await kv.post('/list/write', { key: 'replace', values: [1, 2, 3] })
    expect((await kv.post('/list/write', { key: 'replace', values: [] })).body).toEqual({
      ok: true,
      data: { key: 'replace', values: [] },
    })
    expect(await read('replace')).toEqual({ ok: true, data: [] })
    expect((await kv.get('/list/exists?key=replace')).body).toEqual({ ok: true, data: true })
    expect((await kv.get('/list/count?key=replace')).body).toEqual({ ok: true, data: 0 })
  })

  test('remove ignores absent values and keeps the emptied list', async () => {
    await kv.post('/list/write', { key: 'shrink', values: ['a', 'b', 1] })
    expect((await kv.post('/list/remove', { key: 'shrink', values: ['b', 'nope', '1'] })).body).toEqual({
      ok: true,
      data: { key: 'shrink', values: ['a', 1] },
    })
    expect((await kv.post('/list/remove', { key: 'shrink', values: [1.0, 'a'] })).body).toEqual({
      ok: true,
      data: { key: 'shrink', values: [] },
    })
    expect((await kv.get('/list/exists?key=shrink')).body.data).toBe(true)
  })

  test('purge deletes the list; a second purge is NOT_FOUND', async () => {
    await kv.post('/list/write', { key: 'purged', values: [1] })
    expect((await kv.post('/list/purge', { key: 'purged' })).body).toEqual({
      ok: true,
      data: { key: 'purged', deleted: true },
    })
    expect((await kv.get('/list/exists?key=purged')).body.data).toBe(false)
    const again = await kv.post('/list/purge', { key: 'purged' })
    expect(again.status).toBe(404)
    expect(again.body).toEqual(failure('NOT_FOUND', "List 'purged' not found"))
  })

  test('a missing list: NOT_FOUND for read, count, slice, index, remove; false for exists', async () => {
    const missing = failure('NOT_FOUND', "List 'ghost' not found")
    for (const path of [
      '/list/read?key=ghost',
      '/list/count?key=ghost',
      '/list/slice?key=ghost&start=0&end=1',
      '/list/index?key=ghost&value=a',
    ]) {
      const answer = await kv.get(path)
      expect(answer.status).toBe(404)
      expect(answer.body).toEqual(missing)
    }
    expect((await kv.post('/list/remove', { key: 'ghost', values: ['a'] })).body).toEqual(missing)
    expect((await kv.get('/list/exists?key=ghost')).body).toEqual({ ok: true, data: false })
    expect((await kv.get('/list/exists?key=ghost&value=a')).body).toEqual({ ok: true, data: false })
  })

  test('the value parameter matches the string or the parameter read as JSON', async () => {
    await kv.post('/list/write', { key: 'mixed', values: ['a', 5, 'null', null, '5', true, 2.5, 'x y'] })
    const index = async (value: string) =>
      (await kv.get(`/list/index?key=mixed&value=${encodeURIComponent(value)}`)).body
    expect(await index('a')).toEqual({ ok: true, data: 0 })
    expect(await index('5')).toEqual({ ok: true, data: 1 }) // 5 comes before "5"
    expect(await index('5.0')).toEqual({ ok: true, data: 1 })
    expect(await index('null')).toEqual({ ok: true, data: 2 }) // "null" comes before null
    expect(await index('true')).toEqual({ ok: true, data: 5 })
    expect(await index('2.50')).toEqual({ ok: true, data: 6 })
    expect(await index('x y')).toEqual({ ok: true, data: 7 })
    expect(await index('"a"')).toEqual({ ok: true, data: 0 })
    expect(await index('b')).toEqual({ ok: true, data: -1 })
    expect(await index('[1]')).toEqual({ ok: true, data: -1 })
    const exists = async (value: string) =>
      (await kv.get(`/list/exists?key=mixed&value=${encodeURIComponent(value)}`)).body.data
    expect(await exists('5')).toBe(true)
    expect(await exists('false')).toBe(false)
    expect(await exists('2.5')).toBe(true)
    expect(await exists('')).toBe(false)
  })

  test('index needs a value', async () => {
    const answer = await kv.get('/list/index?key=mixed')
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual(failure('BAD_REQUEST'))
  })

  test('slice: end inclusive, negative from the end, clamped, start after end is empty', async () => {
    await kv.post('/list/write', { key: 'abc', values: ['a', 'b', 'c', 'd', 'e'] })
    const slice = async (query: string) => {
      const answer = await kv.get(`/list/slice?key=abc${query}`)
      expect(answer.status).toBe(200)
      return answer.body.data
    }
    expect(await slice('&start=0&end=1')).toEqual(['a', 'b'])
    expect(await slice('&start=1&end=1')).toEqual(['b'])
    expect(await slice('')).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(await slice('&start=2')).toEqual(['c', 'd', 'e'])
    expect(await slice('&end=0')).toEqual(['a'])
    expect(await slice('&start=-2&end=-1')).toEqual(['d', 'e'])
    expect(await slice('&start=-100&end=1')).toEqual(['a', 'b'])
    expect(await slice('&start=3&end=100')).toEqual(['d', 'e'])
    expect(await slice('&start=5&end=10')).toEqual([])
    expect(await slice('&start=3&end=1')).toEqual([])
    expect(await slice('&start=-1&end=-2')).toEqual([])
    expect(await slice('&start=0&end=-100')).toEqual([])
  })

  test('slice bounds that are not integers are BAD_REQUEST', async () => {
    for (const query of ['start=1.5', 'end=x', 'start=', 'end=1e2', 'start=99999999999999999999']) {
      const answer = await kv.get(`/list/slice?key=abc&${query}`)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual(failure('BAD_REQUEST'))
    }
  })

  test('count and keys', async () => {
    const app = await kv.newApp()
    for (const key of ['q:2', 'q:1', 'r']) await kv.post('/list/write', { key, values: [key] }, app.readwrite)
    await kv.post('/item/write', { key: 'q:item', value: 1 }, app.readwrite)
    expect((await kv.get('/list/count?key=q:1', app.read)).body).toEqual({ ok: true, data: 1 })
    expect((await kv.get('/list/keys', app.read)).body).toEqual({ ok: true, data: ['q:1', 'q:2', 'r'] })
    expect((await kv.get('/list/keys?prefix=q:', app.read)).body).toEqual({ ok: true, data: ['q:1', 'q:2'] })
  })

  test('values must be an array of primitives', async () => {
    for (const json of [
      { key: 'bad' },
      { key: 'bad', values: 'a' },
      { key: 'bad', values: [{ a: 1 }] },
      { key: 'bad', values: [[1]] },
      { values: [1] },
    ]) {
      for (const path of ['/list/write', '/list/add', '/list/remove']) {
        const answer = await kv.post(path, json)
        expect(answer.status).toBe(400)
        expect(answer.body).toEqual(failure('BAD_REQUEST'))
      }
    }
    expect((await kv.get('/list/exists?key=bad')).body.data).toBe(false)
  })

  test('a value over 64 KiB is PAYLOAD_TOO_LARGE', async () => {
    const big = 'x'.repeat(64 * 1024)
    for (const path of ['/list/write', '/list/add']) {
      const answer = await kv.post(path, { key: 'big', values: ['ok', big] })
      expect(answer.status).toBe(413)
      expect(answer.body).toEqual(failure('PAYLOAD_TOO_LARGE'))
    }
    expect((await kv.get('/list/exists?key=big')).body.data).toBe(false)
  })

  test('a list over 10,000 items is BAD_REQUEST, and an add that would pass the limit changes nothing', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => i)
    const tooMany = await kv.post('/list/write', { key: 'many', values: [...many, 10_000] })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body).toEqual(failure('BAD_REQUEST'))
    // Duplicates do not count: 10,000 distinct values fit.
    expect((await kv.post('/list/write', { key: 'many', values: [...many, 0, 1] })).status).toBe(200)
    const over = await kv.post('/list/add', { key: 'many', values: [5, 10_000] })
    expect(over.status).toBe(400)
    expect(over.body).toEqual(failure('BAD_REQUEST'))
    expect((await kv.get('/list/count?key=many')).body.data).toBe(10_000)
    expect((await kv.post('/list/add', { key: 'many', values: [5, 9999] })).status).toBe(200)
  })

  test('100 parallel overlapping adds never duplicate or lose a value', async () => {
    const adds = Array.from({ length: 100 }, (_, i) =>
      kv.post('/list/add', {
        key: 'race',
        values: Array.from({ length: 10 }, (_, j) => `v${(i + j) % 120}`),
      }),
    )
    const answers = await Promise.all(adds)
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      const values: string[] = answer.body.data.values
      expect(new Set(values).size).toBe(values.length)
    }
    const final: string[] = (await read('race')).data
    expect(final).toHaveLength(109)
    expect(new Set(final)).toEqual(new Set(Array.from({ length: 109 }, (_, i) => `v${i}`)))
    // Each answer is a prefix of the final order: no add ever reordered the list.
    for (const answer of answers)
      expect(final.slice(0, answer.body.data.values.length)).toEqual(answer.body.data.values)
  })

  test('concurrent adds and removes leave exactly what was added and not removed', async () => {
    const old = Array.from({ length: 50 }, (_, i) => `old${i}`)
    const added = Array.from({ length: 50 }, (_, i) => `new${i}`)
    await kv.post('/list/write', { key: 'churn', values: old })
    const requests = old.flatMap((value, i) => [
      kv.post('/list/remove', { key: 'churn', values: [value] }),
      kv.post('/list/add', { key: 'churn', values: [added[i], added[(i + 1) % 50]] }),
    ])
    for (const answer of await Promise.all(requests)) expect(answer.status).toBe(200)
    const final: string[] = (await read('churn')).data
    expect(final).toHaveLength(50)
    expect(new Set(final)).toEqual(new Set(added))
  })
})
