// TTL: 1 second to 365 days, set anew by every PUT, and expired keys hidden from every read.

import { expect, test } from 'bun:test'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStore } from '../../support/stores.ts'
import { rocketstackSetup } from './client.ts'

// Expiry does not depend on where the dialect is mounted: this file runs under the default
// mount only (routing, errors and keys run under every mount in the other files).
describeEachStore('RocketStack TTL', (store) => {
  const open = rocketstackSetup(store)

  test('ttlSeconds outside 1 s .. 365 days, or not an integer, is 400 and writes nothing', async () => {
    const { client } = await open()
    for (const ttlSeconds of [0, -1, 0.5, 1.5, 31_536_001, 1e20, '3600', true, [], {}]) {
      const answer = await client.put('t', { value: 1, ttlSeconds })
      expect({ ttlSeconds, status: answer.status, code: answer.json.error?.code }).toEqual({
        ttlSeconds,
        status: 400,
        code: 'BAD_REQUEST',
      })
      expect(answer.json.error.message).toBe('ttlSeconds must be an integer from 1 to 31536000')
    }
    expect((await client.get('t')).status).toBe(404)
  })

  test('the bounds themselves are accepted, and expiresAt is ISO-8601 with milliseconds', async () => {
    // A fixed time in the future, so no store's own expiry can act before the manual clock does.
    const clock = new ManualClock(Date.UTC(2036, 10, 23, 4, 0, 0, 250))
    const { client } = await open({}, { clock })
    expect((await client.put('one', { value: 1, ttlSeconds: 1 })).json.data.expiresAt).toBe(
      '2036-11-23T04:00:01.250Z',
    )
    expect((await client.put('year', { value: 1, ttlSeconds: 31_536_000 })).json.data.expiresAt).toBe(
      '2037-11-23T04:00:00.250Z',
    )
    clock.advance(999)
    expect((await client.get('one')).status).toBe(200)
    clock.advance(1)
    expect((await client.get('one')).status).toBe(404)
    expect((await client.get('year')).status).toBe(200)
  })

  test('a one-second TTL expires by the real clock too, on the store itself', async () => {
    const { client } = await open()
    await client.put('blink', { value: 1, ttlSeconds: 1 })
    expect((await client.get('blink')).status).toBe(200)
    await Bun.sleep(1100)
    expect((await client.get('blink')).status).toBe(404)
    expect((await client.list()).json.data.items).toEqual([])
    expect((await client.put('blink', { value: 2, ifNotExists: true })).status).toBe(200)
  })

  test('a PUT without ttlSeconds clears an earlier TTL; null counts as absent', async () => {
    const clock = new ManualClock()
    const { client } = await open({}, { clock })
    await client.put('k', { value: 1, ttlSeconds: 10 })
    const cleared = await client.put('k', { value: 2 })
    expect(cleared.json.data.expiresAt).toBeNull()
    await client.put('n', { value: 1, ttlSeconds: 10 })
    expect((await client.put('n', { value: 2, ttlSeconds: null })).json.data.expiresAt).toBeNull()
    clock.advance(60_000)
    expect((await client.get('k')).json.data).toMatchObject({ value: 2, expiresAt: null })
    expect((await client.get('n')).json.data.value).toBe(2)
  })

  test('a compare-and-swap sets the new TTL too, and cannot swap an expired key', async () => {
    const clock = new ManualClock()
    const { client } = await open({}, { clock })
    const version = (await client.put('k', { value: 1, ttlSeconds: 10 })).json.data.version
    const swapped = await client.put('k', { value: 2, ttlSeconds: 100, ifVersion: version })
    expect(swapped.json.data.expiresAt).toBe(new Date(clock.now() + 100_000).toISOString())
    clock.advance(100_000)
    expect((await client.put('k', { value: 3, ifVersion: swapped.json.data.version })).status).toBe(409)
  })

  test('expired keys never appear in a list', async () => {
    const clock = new ManualClock()
    const { client } = await open({}, { clock })
    await client.put('a', { value: 1, ttlSeconds: 1 })
    await client.put('b', { value: 1 })
    await client.put('c', { value: 1, ttlSeconds: 2 })
    clock.advance(1000)
    const listed = await client.list()
    expect(listed.json.data.items.map((item: { key: string }) => item.key)).toEqual(['b', 'c'])
    expect(listed.json.data.items[1].expiresAt).toBe(new Date(clock.now() + 1000).toISOString())
  })
})
