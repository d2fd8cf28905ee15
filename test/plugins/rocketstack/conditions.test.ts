// Set-if-not-exists and compare-and-swap, by body field and by header, and their races.

import { expect, test } from 'bun:test'
import { ManualClock } from '../../support/manual-clock.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { ITEMS, listenMounted, MOUNTS, rocketstackSetup } from './client.ts'

describeEachStoreAndMount('RocketStack conditional writes', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('ifNotExists creates once, then answers 409 and leaves the value alone', async () => {
    const { client } = await open()
    const first = await client.put('lock', { value: 'a', ifNotExists: true })
    expect(first.status).toBe(200)
    const second = await client.put('lock', { value: 'b', ifNotExists: true })
    expect(second.status).toBe(409)
    expect(second.json).toEqual({ error: { code: 'CONFLICT', message: "Key 'lock' already exists" } })
    expect((await client.get('lock')).json.data).toMatchObject({
      value: 'a',
      version: first.json.data.version,
    })
    // false means no condition at all
    expect((await client.put('lock', { value: 'c', ifNotExists: false })).status).toBe(200)
  })

  test('If-None-Match: * does the same as ifNotExists', async () => {
    const { client } = await open()
    expect((await client.put('lock', { value: 1 }, { 'if-none-match': '*' })).status).toBe(200)
    const again = await client.put('lock', { value: 2 }, { 'if-none-match': '*' })
    expect(again.status).toBe(409)
    expect(again.json.error.code).toBe('CONFLICT')
    // header and field saying the same is fine
    const both = await client.put('other', { value: 1, ifNotExists: true }, { 'if-none-match': '*' })
    expect(both.status).toBe(200)
  })

  test('an expired key does not exist for ifNotExists', async () => {
    const clock = new ManualClock()
    const { client } = await open({}, { clock })
    await client.put('lease', { value: 'old', ttlSeconds: 5 })
    expect((await client.put('lease', { value: 'new', ifNotExists: true })).status).toBe(409)
    clock.advance(5000)
    const taken = await client.put('lease', { value: 'new', ifNotExists: true })
    expect(taken.status).toBe(200)
    expect(taken.json.data.expiresAt).toBeNull()
  })

  test('compare-and-swap by ifVersion: the matching version wins, a stale one gets 409', async () => {
    const { client } = await open()
    const v1 = (await client.put('counter', { value: 1 })).json.data.version
    const swapped = await client.put('counter', { value: 2, ifVersion: v1 })
    expect(swapped.status).toBe(200)
    const v2 = swapped.json.data.version
    expect(v2).not.toBe(v1)
    const stale = await client.put('counter', { value: 3, ifVersion: v1 })
    expect(stale.status).toBe(409)
    expect(stale.json).toEqual({ error: { code: 'CONFLICT', message: "Version mismatch for key 'counter'" } })
    expect((await client.get('counter')).json.data).toMatchObject({ value: 2, version: v2 })
    // A numeric ifVersion is compared as its decimal text.
    expect((await client.put('counter', { value: 4, ifVersion: Number(v2) })).status).toBe(200)
  })

  test('compare-and-swap on an absent key, or with a version no entry can have, is 409', async () => {
    const { client } = await open()
    expect((await client.put('nothing', { value: 1, ifVersion: '1' })).status).toBe(409)
    await client.put('thing', { value: 1 })
    for (const version of ['abc', '0', '007', '1.5', '99999999999999999999', 1.5]) {
      const answer = await client.put('thing', { value: 2, ifVersion: version })
      expect(answer.status).toBe(409)
    }
    expect((await client.get('nothing')).status).toBe(404)
    expect((await client.get('thing')).json.data.value).toBe(1)
  })

  test('If-Match takes 7, "7" and W/"7"; If-Match: * needs the key to exist', async () => {
    const { client } = await open()
    let version = (await client.put('doc', { value: 0 })).json.data.version
    for (const form of [(v: string) => v, (v: string) => `"${v}"`, (v: string) => `W/"${v}"`]) {
      const answer = await client.put('doc', { value: version }, { 'if-match': form(version) })
      expect(answer.status).toBe(200)
      expect((await client.put('doc', { value: 'x' }, { 'if-match': form(version) })).status).toBe(409)
      version = answer.json.data.version
    }
    expect((await client.put('doc', { value: 'any' }, { 'if-match': '*' })).status).toBe(200)
    const missing = await client.put('missing', { value: 1 }, { 'if-match': '*' })
    expect(missing.status).toBe(409)
    expect((await client.get('missing')).status).toBe(404)
  })

  test('conflicting or malformed conditions are 400 and write nothing', async () => {
    const { client } = await open()
    const version = (await client.put('k', { value: 'kept' })).json.data.version
    const cases: Array<[unknown, Record<string, string>]> = [
      [{ value: 1, ifNotExists: true, ifVersion: version }, {}],
      [{ value: 1, ifNotExists: true }, { 'if-match': version }],
      [{ value: 1, ifVersion: version }, { 'if-none-match': '*' }],
      [{ value: 1 }, { 'if-none-match': '*', 'if-match': version }],
      [{ value: 1, ifNotExists: false }, { 'if-none-match': '*' }],
      [{ value: 1, ifVersion: version }, { 'if-match': `${version}0` }],
      [{ value: 1 }, { 'if-none-match': `"${version}"` }],
      [{ value: 1 }, { 'if-match': `"1", "2"` }],
      [{ value: 1, ifNotExists: 'yes' }, {}],
      [{ value: 1, ifNotExists: 1 }, {}],
      [{ value: 1, ifVersion: '' }, {}],
      [{ value: 1, ifVersion: true }, {}],
      [{ value: 1, ifVersion: { v: 1 } }, {}],
    ]
    for (const [body, headers] of cases) {
      const answer = await client.put('k', body, headers)
      expect({ body, headers, status: answer.status, code: answer.json?.error?.code }).toEqual({
        body,
        headers,
        status: 400,
        code: 'BAD_REQUEST',
      })
    }
    expect((await client.get('k')).json.data).toEqual({ key: 'k', value: 'kept', version, expiresAt: null })
  })

  test('DELETE with If-Match deletes only the matching version', async () => {
    const { client } = await open()
    const version = (await client.put('k', { value: 1 })).json.data.version
    const stale = await client.delete('k', { 'if-match': `"${Number(version) + 1}"` })
    expect(stale.status).toBe(409)
    expect(stale.json.error).toEqual({ code: 'CONFLICT', message: "Version mismatch for key 'k'" })
    expect((await client.get('k')).status).toBe(200)
    expect((await client.delete('k', { 'if-match': `"${version}"` })).status).toBe(200)
    expect((await client.get('k')).status).toBe(404)
    // With no condition, deleting an absent key still answers 200; with If-Match it is a mismatch.
    expect((await client.delete('k')).json).toEqual({ data: { key: 'k', deleted: true } })
    expect((await client.delete('k', { 'if-match': version })).status).toBe(409)
    expect((await client.delete('k', { 'if-match': '*' })).status).toBe(409)
    await client.put('k', { value: 2 })
    expect((await client.delete('k', { 'if-match': '*' })).status).toBe(200)
    expect((await client.get('k')).status).toBe(404)
  })

  test('100 concurrent compare-and-swap writes on one version: exactly one 200 and 99 409s', async () => {
    const { client } = await open()
    const version = (await client.put('race', { value: 'start' })).json.data.version
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => client.put('race', { value: i, ifVersion: version })),
    )
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(99)
    const winner = answers.find((answer) => answer.status === 200)!.json.data
    expect((await client.get('race')).json.data).toEqual(winner)
  })

  test('the CAS race through a real port, as separate HTTP requests', async () => {
    const { kvgate, client } = await open()
    const server = listenMounted(kvgate, mount)
    try {
      const version = (await client.put('race', { value: 'start' })).json.data.version
      const statuses = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const response = await server.fetch(`${ITEMS}/race`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${client.apiKey}`, 'if-match': `"${version}"` },
            body: JSON.stringify({ value: i }),
          })
          await response.arrayBuffer()
          return response.status
        }),
      )
      expect(statuses.filter((status) => status === 200)).toHaveLength(1)
      expect(statuses.filter((status) => status === 409)).toHaveLength(99)
    } finally {
      await server.stop()
    }
  })

  test('100 concurrent set-if-not-exists writes, by field and by header: exactly one wins', async () => {
    const { client } = await open()
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0
          ? client.put('leader', { value: i, ifNotExists: true })
          : client.put('leader', { value: i }, { 'if-none-match': '*' }),
      ),
    )
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(99)
    const winner = answers.find((answer) => answer.status === 200)!.json.data
    expect((await client.get('leader')).json.data.value).toBe(winner.value)
  })

  test('the version changes on every write, conditional or not', async () => {
    const { client } = await open()
    const seen = new Set<string>()
    let version = (await client.put('v', { value: 0, ifNotExists: true })).json.data.version
    seen.add(version)
    for (let i = 1; i <= 5; i++) {
      version = (await client.put('v', { value: i, ifVersion: version })).json.data.version
      seen.add(version)
      seen.add((await client.put('v', { value: i })).json.data.version)
      version = (await client.get('v')).json.data.version
    }
    expect(seen.size).toBe(11)
  })
})
