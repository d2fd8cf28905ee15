// Key and value sizes, the keys-per-account quota, the rate limit, and their KVGATE_ROCKETSTACK_* options.

import { expect, test } from 'bun:test'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { ITEMS, MOUNTS, rocketstackSetup } from './client.ts'

describeEachStoreAndMount('RocketStack limits', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('a key over 512 bytes is 400, counted in UTF-8 bytes', async () => {
    const { client } = await open()
    const tooLong = await client.put('k'.repeat(513), { value: 1 })
    expect(tooLong.status).toBe(400)
    expect(tooLong.json.error).toEqual({ code: 'BAD_REQUEST', message: 'Key is longer than 512 bytes' })
    expect((await client.get('k'.repeat(513))).status).toBe(400)
    expect((await client.delete('k'.repeat(513))).status).toBe(400)
    // 256 two-byte characters are 512 bytes; one more is too many.
    expect((await client.put(encodeURIComponent('é'.repeat(256)), { value: 1 })).status).toBe(200)
    expect((await client.put(encodeURIComponent('é'.repeat(257)), { value: 1 })).status).toBe(400)
  })

  test('an empty key on PUT or DELETE is 400; keys are percent-decoded once and may hold slashes', async () => {
    const { client } = await open()
    for (const path of [`${ITEMS}/`, ITEMS]) {
      for (const method of ['PUT', 'DELETE']) {
        const answer = await client.request(path, {
          method,
          body: method === 'PUT' ? '{"value":1}' : undefined,
        })
        expect({ path, method, status: answer.status, code: answer.json.error.code }).toEqual({
          path,
          method,
          status: 400,
          code: 'BAD_REQUEST',
        })
      }
    }
    const put = await client.put('users%2F42/prefs%20dark%2541', { value: 1 })
    expect(put.json.data.key).toBe('users/42/prefs dark%41')
    expect((await client.get('users/42/prefs%20dark%2541')).json.data.key).toBe('users/42/prefs dark%41')
    expect((await client.put('%FF%FE', { value: 1 })).status).toBe(400) // not UTF-8 text
  })

  test('keys may start, end or be full of slashes, and hold any percent-encoded character', async () => {
    const { client } = await open()
    const keys = ['/lead', 'a//b', 'trail/', 'q?x#y', 'x/kv/items/', 'sp ace', '*', '100%', '日本']
    for (const key of keys) {
      const path = key
        .replace(/[?#% ]/g, (char) => encodeURIComponent(char))
        .replace('日本', encodeURIComponent('日本'))
      expect((await client.put(path, { value: key })).json.data.key).toBe(key)
      expect((await client.get(path)).json.data.value).toBe(key)
    }
    const listed = await client.list()
    expect(listed.json.data.items.map((item: { key: string }) => item.key)).toEqual(
      [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    )
  })

  test('a value whose JSON text is over 1 MiB is 413; the body may carry 64 KiB more', async () => {
    const { client } = await open()
    const over = await client.put('big', { value: 'x'.repeat(1024 * 1024 - 1) })
    expect(over.status).toBe(413)
    expect(over.json.error.code).toBe('PAYLOAD_TOO_LARGE')
    // Padding outside the value (whitespace, other fields) does not count against the value.
    const padded = `{"value":"${'x'.repeat(1024 * 1024 - 2)}","note":"${'n'.repeat(60_000)}"}`
    expect((await client.put('big', padded)).status).toBe(200)
    // A body beyond value + 64 KiB is refused before it is read.
    const huge = `{"value":"${'x'.repeat(1024 * 1024 + 64 * 1024)}"}`
    const refused = await client.put('huge', huge)
    expect(refused.status).toBe(413)
    expect(refused.json.error.code).toBe('PAYLOAD_TOO_LARGE')
    // ... also when it streams without a Content-Length.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge))
        controller.close()
      },
    })
    const streamed = await client.request(`${ITEMS}/huge`, { method: 'PUT', body: stream })
    expect(streamed.status).toBe(413)
    expect((await client.get('huge')).status).toBe(404)
  })

  test('limits follow KVGATE_ROCKETSTACK_* options', async () => {
    const { client } = await open({
      KVGATE_ROCKETSTACK_MAX_KEY_BYTES: '8',
      KVGATE_ROCKETSTACK_MAX_VALUE_BYTES: '10',
      KVGATE_ROCKETSTACK_MAX_TTL_SECONDS: '60',
    })
    expect((await client.put('12345678', { value: '12345678' })).status).toBe(200)
    expect((await client.put('123456789', { value: 1 })).status).toBe(400)
    expect((await client.put('k', { value: '123456789' })).status).toBe(413)
    expect((await client.put('k', { value: 1, ttlSeconds: 60 })).status).toBe(200)
    const ttl = await client.put('k', { value: 1, ttlSeconds: 61 })
    expect(ttl.status).toBe(400)
    expect(ttl.json.error.message).toBe('ttlSeconds must be an integer from 1 to 60')
  })

  test('the keys-per-account quota refuses new keys with 403 but allows updates and deletes', async () => {
    const clock = new ManualClock()
    const { kvgate, client } = await open({ KVGATE_ROCKETSTACK_MAX_KEYS: '3' }, { clock })
    for (const key of ['a', 'b', 'c']) expect((await client.put(key, { value: key })).status).toBe(200)
    const refused = await client.put('d', { value: 'd' })
    expect(refused.status).toBe(403)
    expect(refused.json.error.code).toBe('QUOTA_EXCEEDED')
    expect((await client.get('d')).status).toBe(404)
    expect((await client.put('a', { value: 'updated', ttlSeconds: 1 })).status).toBe(200)
    expect((await client.put('d', { value: 'd', ifNotExists: true })).status).toBe(403)
    // Deleted and expired keys free their places.
    await client.delete('b')
    expect((await client.put('d', { value: 'd' })).status).toBe(200)
    clock.advance(1000)
    expect((await client.put('e', { value: 'e' })).status).toBe(200)
    // The quota is per account.
    const other = await kvgate.createAccount('rocketstack')
    const answer = await kvgate.fetch(`${ITEMS}/x`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${other.credentials.api_key}` },
      body: '{"value":1}',
    })
    expect(answer.status).toBe(200)
  })

  test('concurrent creates at the quota: exactly the free places are taken', async () => {
    const { client } = await open({ KVGATE_ROCKETSTACK_MAX_KEYS: '10' })
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => (await client.put(`key-${i}`, { value: i })).status),
    )
    expect(statuses.filter((status) => status === 200)).toHaveLength(10)
    expect(statuses.filter((status) => status === 403)).toHaveLength(40)
    expect((await client.list()).json.data.items).toHaveLength(10)
  })

  test('the rate limit is off by default and, when set, answers 429 with Retry-After per account', async () => {
    const unlimited = await open()
    for (let i = 0; i < 50; i++) expect((await unlimited.client.get('x')).status).toBe(404)

    // A fixed time in the future, so no store's own expiry can act before the manual clock does.
    const clock = new ManualClock(Date.UTC(2036, 0, 1, 0, 0, 0, 200))
    const { kvgate, client } = await open({ KVGATE_ROCKETSTACK_RATE_LIMIT: '3' }, { clock })
    for (let i = 0; i < 3; i++) expect((await client.get('x')).status).toBe(404)
    const limited = await client.get('x')
    expect(limited.status).toBe(429)
    expect(limited.json.error.code).toBe('RATE_LIMITED')
    expect(limited.headers.get('retry-after')).toBe('1')
    const other = await kvgate.createAccount('rocketstack')
    const fresh = await kvgate.fetch(`${ITEMS}/x`, {
      headers: { authorization: `Bearer ${other.credentials.api_key}` },
    })
    expect(fresh.status).toBe(404)
    clock.advance(800)
    expect((await client.get('x')).status).toBe(404)
  })
})
