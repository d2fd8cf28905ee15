// GET /kv/items: keys in byte order, a prefix, pages of up to 1000 joined by an opaque cursor.

import { expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { MOUNTS, rocketstackSetup } from './client.ts'

const keysOf = (data: { items: Array<{ key: string }> }) => data.items.map((item) => item.key)

describeEachStoreAndMount('RocketStack list', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('items carry key, version and expiresAt but no value, in ascending byte order', async () => {
    const { client } = await open()
    for (const key of ['b', 'a', 'B', 'a/b', 'é', 'aa', '~'])
      await client.put(encodeURIComponent(key), { value: key })
    const listed = await client.list()
    expect(listed.status).toBe(200)
    expect(keysOf(listed.json.data)).toEqual(['B', 'a', 'a/b', 'aa', 'b', '~', 'é'])
    expect(listed.json.data.cursor).toBeNull()
    const first = listed.json.data.items[0]
    expect(Object.keys(first).sort()).toEqual(['expiresAt', 'key', 'version'])
    expect(first.version).toBe((await client.get('B')).json.data.version)
    // /kv/items/ lists too
    expect((await client.request('/rocketstack/kv/items/')).json).toEqual(listed.json)
  })

  test('an empty account lists nothing', async () => {
    const { client } = await open()
    expect((await client.list()).json).toEqual({ data: { items: [], cursor: null } })
  })

  test('prefix filters; limit and cursor page through everything exactly once', async () => {
    const { client } = await open()
    const keys = Array.from({ length: 25 }, (_, i) => `user:${String(i).padStart(2, '0')}`)
    for (const key of keys) await client.put(key, { value: 1 })
    await client.put('other', { value: 1 })
    expect(keysOf((await client.list('?prefix=user:1')).json.data)).toEqual(keys.slice(10, 20))
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = `?prefix=user:&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const page = (await client.list(query)).json.data
      seen.push(...keysOf(page))
      cursor = page.cursor
      pages++
    } while (cursor)
    expect(seen).toEqual(keys)
    expect(pages).toBe(3)
    expect(keysOf((await client.list('?limit=1000')).json.data)).toHaveLength(26)
  })

  test('the default page is 100 keys', async () => {
    const { client } = await open()
    for (let i = 0; i < 101; i++) await client.put(`k${String(i).padStart(3, '0')}`, { value: i })
    const page = (await client.list()).json.data
    expect(page.items).toHaveLength(100)
    expect(page.cursor).toBeString()
    const rest = (await client.list(`?cursor=${page.cursor}`)).json.data
    expect(keysOf(rest)).toEqual(['k100'])
    expect(rest.cursor).toBeNull()
  })

  test('a bad limit or cursor is 400', async () => {
    const { client } = await open()
    for (const query of [
      '?limit=0',
      '?limit=1001',
      '?limit=-1',
      '?limit=ten',
      '?limit=1.5',
      '?limit=99999',
      '?cursor=%%%',
      '?cursor=a+b',
      '?cursor=A',
    ]) {
      const answer = await client.list(query)
      expect({ query, status: answer.status, code: answer.json.error?.code }).toEqual({
        query,
        status: 400,
        code: 'BAD_REQUEST',
      })
    }
    expect((await client.list('?limit=&cursor=&prefix=')).status).toBe(200)
  })
})
