// The official kvdb.io npm client (1.0.5), unmodified, against a listening kvgate: its base URL is
// the only thing changed.

import { afterAll, beforeAll, expect, test } from 'bun:test'
// @ts-expect-error the client ships no types
import KVdb from 'kvdb.io'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type KvdbHarness, kvdbHarness } from './harness.ts'

describeEachStore('kvdb.io client', (store) => {
  let h: KvdbHarness
  let server: { url: string; stop(): Promise<void> }
  beforeAll(() => {
    h = kvdbHarness(store)
    server = listenTestKvgate(h.kv)
    KVdb.BASE_URL = `${server.url}/kvdb`
  })
  afterAll(async () => {
    await server.stop()
    await h.kv.close()
  })

  test('set, get, incr, delete and list through the client', async () => {
    const id = await h.createBucket({ secret_key: 'secret', signing_key: 'signing' })
    const bucket = KVdb.bucket(id, 'secret')
    expect(await bucket.set('foo', 'new value')).toBe('')
    await bucket.set('foo-bar', 'new value bar')
    await bucket.set('users:1:name', 'Ada')
    await bucket.set('doc', '{"a":[1,2]}', { type: 'application/json' })
    expect(await bucket.get('foo')).toBe('new value')
    expect(await bucket.get('doc')).toBe('{"a":[1,2]}')
    expect(await bucket.incr('foo-int', '1')).toBe('1')
    expect(await bucket.incr('foo-int', 41)).toBe('42')
    expect(await bucket.incr('foo-int', -2)).toBe('40')
    expect(await bucket.incr('foo-float', 1.01)).toBe('1.01')
    expect(await bucket.incr('foo-zero', 0)).toBe('0')
    await bucket.delete('foo')
    await bucket.delete('never-existed')
    await expect(bucket.get('foo')).rejects.toThrow('404')
    expect(await bucket.list()).toEqual([
      'doc',
      'foo-bar',
      'foo-float',
      'foo-int',
      'foo-zero',
      'users:1:name',
    ])
    expect(await bucket.list({ prefix: 'foo', values: true })).toEqual([
      ['foo-bar', 'new value bar'],
      ['foo-float', 1.01],
      ['foo-int', 40],
      ['foo-zero', 0],
    ])
    expect(await bucket.list({ prefix: 'foo', reverse: true })).toEqual([
      'foo-zero',
      'foo-int',
      'foo-float',
      'foo-bar',
    ])
    expect(await bucket.list({ skip: 1, limit: 2 })).toEqual(['foo-bar', 'foo-float'])
    expect(await bucket.list({ prefix: 'doc', values: true })).toEqual([['doc', { a: [1, 2] }]])
  })

  test('an access token from accessToken() confines a second client to its prefix', async () => {
    const id = await h.createBucket({ secret_key: 'secret', signing_key: 'signing' })
    const owner = KVdb.bucket(id, 'secret')
    await owner.set('users:2:flavor', 'vanilla')
    const token = await owner.accessToken({
      prefix: 'users:1:',
      ttl: 3600,
      permissions: ['read', 'write', 'enumerate'],
    })
    expect(typeof token).toBe('string')
    const user = KVdb.bucket(id, token)
    await user.set('users:1:flavor', 'oatmeal')
    expect(await user.get('users:1:flavor')).toBe('oatmeal')
    expect(await user.incr('users:1:visits', 1)).toBe('1')
    expect(await user.list()).toEqual(['users:1:flavor', 'users:1:visits'])
    expect(await user.list({ prefix: 'users:1:f', values: true })).toEqual([['users:1:flavor', 'oatmeal']])
    await expect(user.get('users:2:flavor')).rejects.toThrow('403')
    await expect(user.set('users:2:flavor', 'stolen')).rejects.toThrow('403')
    await expect(user.list({ prefix: 'users:2:' })).rejects.toThrow('403')
    await expect(user.accessToken({ prefix: '' })).rejects.toThrow('403')
    expect(await owner.get('users:2:flavor')).toBe('vanilla')

    // A read-only token cannot write; a token for another bucket is refused outright.
    const reader = KVdb.bucket(id, await owner.accessToken({ prefix: 'users:1:', permissions: ['read'] }))
    expect(await reader.get('users:1:flavor')).toBe('oatmeal')
    await expect(reader.set('users:1:flavor', 'x')).rejects.toThrow('403')
    await expect(reader.list()).rejects.toThrow('403')
    const other = await h.createBucket({ secret_key: 'secret', signing_key: 'signing' })
    await expect(KVdb.bucket(other, token).get('users:1:flavor')).rejects.toThrow('401')
  })

  test('a wrong key is refused with 401 by every client call except delete', async () => {
    const id = await h.createBucket()
    const bucket = KVdb.bucket(id, 'not-a-key')
    await expect(bucket.get('a')).rejects.toThrow('401')
    await expect(bucket.set('a', 'b')).rejects.toThrow('401')
    await expect(bucket.list()).rejects.toThrow('401')
    expect(await bucket.delete('a')).toBe('invalid key or access token')
  })

  test("the seed's JS examples: set with {ttl} (ignored by client 1.0.5) and get", async () => {
    const id = await h.createBucket()
    const bucket = KVdb.bucket(id)
    await bucket.set('hello', 'world')
    await bucket.set('hello', 'world', { ttl: 30 })
    expect(await bucket.get('hello')).toBe('world')
    // The client does not pass ttl on: the key lives for the bucket's default_ttl.
    h.clock.advance(31_000)
    expect(await bucket.get('hello')).toBe('world')
  })

  test('the Web Storage emulation of the client works on top of listing and keys', async () => {
    const storage = KVdb.bucket(await h.createBucket()).localStorage()
    await storage.setItem('a', '1')
    await storage.setItem('b', 'two')
    expect(await storage.getItem('b')).toBe('two')
    expect(await storage.getItem('missing')).toBeNull()
    expect(await storage.length()).toBe(2)
    expect(await storage.key(1)).toEqual(['b'])
    await storage.removeItem('a')
    expect(await storage.length()).toBe(1)
    await storage.clear()
    expect(await storage.length()).toBe(0)
  })
})
