// Items: primitive values kept as their JSON text, keys and their limits, and keyspaces.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

describeEachStoreAndMount('lightkv: items', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
  })
  afterAll(() => kv.close())

  test('every JSON primitive is a value, null included', async () => {
    for (const value of ['text', '', 0, -1.5, true, false, null, 'ünïcødé ✓']) {
      const written = await kv.post('/item/write', { key: 'primitive', value })
      expect(written.body).toEqual({ ok: true, data: { key: 'primitive', value } })
      expect((await kv.get('/item/read?key=primitive')).body).toEqual({
        ok: true,
        data: { key: 'primitive', value },
      })
    }
  })

  test('numbers keep their JSON text digit for digit', async () => {
    const raw = '{"key": "big", "value": 12345678901234567890.50}'
    const written = await kv.call('POST', '/item/write', { raw })
    expect(written.text).toBe('{"ok":true,"data":{"key":"big","value":12345678901234567890.50}}')
    expect((await kv.get('/item/read?key=big')).text).toBe(
      '{"ok":true,"data":{"key":"big","value":12345678901234567890.50}}',
    )
  })

  test('write overwrites', async () => {
    await kv.post('/item/write', { key: 'over', value: 1 })
    await kv.post('/item/write', { key: 'over', value: 'two' })
    expect((await kv.get('/item/read?key=over')).body.data).toEqual({ key: 'over', value: 'two' })
  })

  test('objects and arrays are not values', async () => {
    for (const value of [{ a: 1 }, [1, 2], []]) {
      const answer = await kv.post('/item/write', { key: 'nested', value })
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual(failure('BAD_REQUEST'))
    }
    expect((await kv.get('/item/exists?key=nested')).body).toEqual({ ok: true, data: false })
  })

  test('an absent value or key is BAD_REQUEST', async () => {
    for (const json of [{ key: 'k' }, { value: 1 }, {}, { key: '', value: 1 }, { key: 5, value: 1 }]) {
      const answer = await kv.post('/item/write', json)
      expect(answer.status).toBe(400)
      expect(answer.body).toEqual(failure('BAD_REQUEST'))
    }
    expect((await kv.post('/item/write', { key: 'k' })).body.error.message).toBe('"value" is required')
  })

  test('keys up to 512 bytes of UTF-8; longer is BAD_REQUEST', async () => {
    const longest = 'é'.repeat(256)
    expect((await kv.post('/item/write', { key: longest, value: 1 })).status).toBe(200)
    expect((await kv.get(`/item/read?key=${encodeURIComponent(longest)}`)).body.data.key).toBe(longest)
    const tooLong = `${longest}x`
    expect((await kv.post('/item/write', { key: tooLong, value: 1 })).body).toEqual(failure('BAD_REQUEST'))
    expect((await kv.get(`/item/read?key=${encodeURIComponent(tooLong)}`)).body).toEqual(
      failure('BAD_REQUEST'),
    )
  })

  test('values up to 64 KiB of JSON text; larger is PAYLOAD_TOO_LARGE', async () => {
    const fits = 'x'.repeat(64 * 1024 - 2) // with its quotes, exactly 64 KiB
    expect((await kv.post('/item/write', { key: 'large', value: fits })).status).toBe(200)
    const answer = await kv.post('/item/write', { key: 'large', value: `${fits}x` })
    expect(answer.status).toBe(413)
    expect(answer.body).toEqual(failure('PAYLOAD_TOO_LARGE'))
    expect((await kv.get('/item/read?key=large')).body.data.value).toBe(fits)
  })

  test('a request body over 8 MiB is PAYLOAD_TOO_LARGE', async () => {
    const answer = await kv.post('/item/write', { key: 'huge', value: 'x'.repeat(8 * 1024 * 1024) })
    expect(answer.status).toBe(413)
    expect(answer.body).toEqual(failure('PAYLOAD_TOO_LARGE'))
  })

  test('read and delete of a missing key are NOT_FOUND; exists is false', async () => {
    expect((await kv.get('/item/read?key=nothing')).body).toEqual(
      failure('NOT_FOUND', "Key 'nothing' not found"),
    )
    const deleted = await kv.call('DELETE', '/item/delete?key=nothing')
    expect(deleted.status).toBe(404)
    expect(deleted.body).toEqual(failure('NOT_FOUND', "Key 'nothing' not found"))
    expect((await kv.get('/item/exists?key=nothing')).body).toEqual({ ok: true, data: false })
  })

  test('delete removes the item', async () => {
    await kv.post('/item/write', { key: 'gone', value: 1 })
    expect((await kv.call('DELETE', '/item/delete?key=gone')).body).toEqual({
      ok: true,
      data: { key: 'gone', deleted: true },
    })
    expect((await kv.get('/item/exists?key=gone')).body.data).toBe(false)
  })

  test('keys: every key in byte order, or those with the prefix; never list keys', async () => {
    const app = await kv.newApp()
    const post = (path: string, json: unknown) => kv.post(path, json, app.readwrite)
    const get = (path: string) => kv.get(path, app.read)
    for (const key of ['b', 'a:2', 'a:10', 'Z', 'ä']) await post('/item/write', { key, value: key })
    await post('/list/write', { key: 'a:list', values: [1] })
    expect((await get('/item/keys')).body).toEqual({ ok: true, data: ['Z', 'a:10', 'a:2', 'b', 'ä'] })
    expect((await get('/item/keys?prefix=a:')).body).toEqual({ ok: true, data: ['a:10', 'a:2'] })
    expect((await get('/item/keys?prefix=none')).body).toEqual({ ok: true, data: [] })
    expect((await get('/list/keys')).body).toEqual({ ok: true, data: ['a:list'] })
  })

  test('the same key names an item and a list at once', async () => {
    await kv.post('/item/write', { key: 'both', value: 'item' })
    await kv.post('/list/write', { key: 'both', values: ['list'] })
    expect((await kv.get('/item/read?key=both')).body.data.value).toBe('item')
    expect((await kv.get('/list/read?key=both')).body.data).toEqual(['list'])
    await kv.call('DELETE', '/item/delete?key=both')
    expect((await kv.get('/list/read?key=both')).body.data).toEqual(['list'])
    await kv.post('/item/write', { key: 'both', value: 'again' })
    await kv.post('/list/purge', { key: 'both' })
    expect((await kv.get('/item/read?key=both')).body.data.value).toBe('again')
  })

  test('apps do not see each other', async () => {
    const other = await kv.newApp()
    await kv.post('/item/write', { key: 'mine', value: 1 })
    expect((await kv.get('/item/read?key=mine', other.read)).status).toBe(404)
    expect((await kv.get('/item/keys', other.read)).body).toEqual({ ok: true, data: [] })
  })
})
