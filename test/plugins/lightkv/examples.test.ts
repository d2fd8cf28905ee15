// Every example of the seed document (shared/seeds/lightkv.txt), line by line, with its exact envelope.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { failure, LIGHTKV_MOUNTS, type LightKvTest, lightKvTest } from './lightkv.ts'

describeEachStoreAndMount('lightkv: the seed document examples', LIGHTKV_MOUNTS, (store, mount) => {
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { mount })
  })
  afterAll(() => kv.close())

  test('POST /item/write with the documented curl headers', async () => {
    const answer = await kv.call('POST', '/item/write', {
      headers: { 'content-type': 'application/json' },
      raw: '{"key": "user:42:score", "value": 9001}',
    })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toStartWith('application/json')
    expect(answer.body).toEqual({ ok: true, data: { key: 'user:42:score', value: 9001 } })
  })

  test('GET /item/read?key=user:42:score, with either token', async () => {
    for (const token of [kv.app.read, kv.app.readwrite]) {
      const answer = await kv.get('/item/read?key=user:42:score', token)
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ ok: true, data: { key: 'user:42:score', value: 9001 } })
    }
  })

  test('GET /item/exists answers true', async () => {
    expect((await kv.get('/item/exists?key=user:42:score', kv.app.read)).body).toEqual({
      ok: true,
      data: true,
    })
  })

  test('GET /item/keys?prefix= lists the keys (in byte order)', async () => {
    await kv.post('/item/write', { key: 'user:42:rank', value: 7 })
    const answer = await kv.get('/item/keys?prefix=user:42:', kv.app.read)
    expect(answer.body).toEqual({ ok: true, data: ['user:42:rank', 'user:42:score'] })
  })

  test('DELETE /item/delete?key=user:42:score', async () => {
    const answer = await kv.call('DELETE', '/item/delete?key=user:42:score')
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ ok: true, data: { key: 'user:42:score', deleted: true } })
  })

  test("the NOT_FOUND example: Key 'foo' not found", async () => {
    const answer = await kv.get('/item/read?key=foo')
    expect(answer.status).toBe(404)
    expect(answer.body).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: "Key 'foo' not found" } })
  })

  test('POST /list/write with the documented curl headers', async () => {
    const answer = await kv.call('POST', '/list/write', {
      headers: { 'content-type': 'application/json' },
      raw: '{"key": "online-users", "values": ["alice", "bob", "carol"]}',
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      ok: true,
      data: { key: 'online-users', values: ['alice', 'bob', 'carol'] },
    })
  })

  test('GET /list/read', async () => {
    const answer = await kv.get('/list/read?key=online-users', kv.app.read)
    expect(answer.body).toEqual({ ok: true, data: ['alice', 'bob', 'carol'] })
  })

  test('GET /list/exists?key=online-users and &value=alice', async () => {
    expect((await kv.get('/list/exists?key=online-users', kv.app.read)).body).toEqual({
      ok: true,
      data: true,
    })
    expect((await kv.get('/list/exists?key=online-users&value=alice', kv.app.read)).body).toEqual({
      ok: true,
      data: true,
    })
  })

  test('GET /list/index: 2 for carol, -1 when not found', async () => {
    expect((await kv.get('/list/index?key=online-users&value=carol', kv.app.read)).body).toEqual({
      ok: true,
      data: 2,
    })
    expect((await kv.get('/list/index?key=online-users&value=zed', kv.app.read)).body).toEqual({
      ok: true,
      data: -1,
    })
  })

  test('GET /list/count', async () => {
    expect((await kv.get('/list/count?key=online-users', kv.app.read)).body).toEqual({ ok: true, data: 3 })
  })

  test('GET /list/slice?key=online-users&start=0&end=1 (end inclusive)', async () => {
    expect((await kv.get('/list/slice?key=online-users&start=0&end=1', kv.app.read)).body).toEqual({
      ok: true,
      data: ['alice', 'bob'],
    })
  })

  test('GET /list/keys?prefix=online-', async () => {
    await kv.post('/list/write', { key: 'online-mods', values: ['eve'] })
    expect((await kv.get('/list/keys?prefix=online-', kv.app.read)).body).toEqual({
      ok: true,
      data: ['online-mods', 'online-users'],
    })
  })

  // The curl examples below send JSON without a Content-Type: curl labels it a form.
  const form = { 'content-type': 'application/x-www-form-urlencoded' }

  test('POST /list/add without a JSON Content-Type', async () => {
    const answer = await kv.call('POST', '/list/add', {
      headers: form,
      raw: '{"key": "online-users", "values": ["dave"]}',
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      ok: true,
      data: { key: 'online-users', values: ['alice', 'bob', 'carol', 'dave'] },
    })
  })

  test('POST /list/remove without a JSON Content-Type', async () => {
    const answer = await kv.call('POST', '/list/remove', {
      headers: form,
      raw: '{"key": "online-users", "values": ["bob"]}',
    })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({
      ok: true,
      data: { key: 'online-users', values: ['alice', 'carol', 'dave'] },
    })
  })

  test('POST /list/purge without a JSON Content-Type', async () => {
    const answer = await kv.call('POST', '/list/purge', { headers: form, raw: '{"key": "online-users"}' })
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ ok: true, data: { key: 'online-users', deleted: true } })
    expect((await kv.get('/list/read?key=online-users')).body).toEqual(
      failure('NOT_FOUND', "List 'online-users' not found"),
    )
  })
})
