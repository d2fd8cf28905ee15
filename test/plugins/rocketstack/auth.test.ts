// API keys: operator-issued, one account per namespace, refused when missing, wrong or rotated.

import { expect, test } from 'bun:test'
import { ADMIN_TOKEN } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { Client, ITEMS, MOUNTS, rocketstackSetup } from './client.ts'

const UNAUTHORIZED = { status: 401, code: 'UNAUTHORIZED' }

describeEachStoreAndMount('RocketStack API keys', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('the admin API issues {"api_key"} for a rocketstack account', async () => {
    const { account } = await open()
    expect(Object.keys(account.credentials)).toEqual(['api_key'])
    expect(account.credentials.api_key).toStartWith('kvg_')
  })

  test('no key, a wrong key, a malformed header or another scheme: 401 on every endpoint', async () => {
    const { client } = await open()
    await client.put('secret', { value: 'mine' })
    const key = client.apiKey
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`
    const headers: Array<Record<string, string>> = [
      {},
      { authorization: '' },
      { authorization: `Bearer ${forged}` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${btoa(`user:${key}`)}` },
      { authorization: key },
      { authorization: `Bearer ${key} extra` },
      { 'x-api-key': key },
    ]
    const anonymous = new Client(client.kvgate, '')
    for (const header of headers) {
      for (const [method, path] of [
        ['GET', `${ITEMS}/secret`],
        ['PUT', `${ITEMS}/secret`],
        ['DELETE', `${ITEMS}/secret`],
        ['GET', ITEMS],
      ] as const) {
        const answer = await anonymous.request(path, {
          method,
          headers: header,
          body: method === 'PUT' ? '{"value":"stolen"}' : undefined,
        })
        expect({ header, method, path, status: answer.status, code: answer.json.error.code }).toEqual({
          header,
          method,
          path,
          ...UNAUTHORIZED,
        })
      }
    }
    expect((await client.get('secret')).json.data.value).toBe('mine')
  })

  test('an empty key without an API key is still 401 first', async () => {
    const { kvgate } = await open()
    const anonymous = new Client(kvgate, '')
    for (const path of [ITEMS, `${ITEMS}/`]) {
      expect((await anonymous.request(path, { method: 'PUT', body: '{"value":1}' })).status).toBe(401)
      expect((await anonymous.request(path, { method: 'DELETE' })).status).toBe(401)
    }
  })

  test('the scheme name is case-insensitive', async () => {
    const { client } = await open()
    const answer = await client.request(ITEMS, { headers: { authorization: `bearer ${client.apiKey}` } })
    expect(answer.status).toBe(200)
  })

  test("one account cannot see, overwrite or delete another account's keys", async () => {
    const { kvgate, client } = await open()
    const other = new Client(kvgate, (await kvgate.createAccount('rocketstack')).credentials.api_key!)
    await client.put('shared-name', { value: 'alice' })
    expect((await other.get('shared-name')).status).toBe(404)
    expect((await other.list()).json.data.items).toEqual([])
    expect((await other.put('shared-name', { value: 'bob', ifNotExists: true })).status).toBe(200)
    expect((await other.delete('shared-name')).status).toBe(200)
    expect((await client.get('shared-name')).json.data.value).toBe('alice')
    expect((await client.list()).json.data.items.map((item: { key: string }) => item.key)).toEqual([
      'shared-name',
    ])
  })

  test('rotation replaces the key at once; deleting the account stops it', async () => {
    const { kvgate, account, client } = await open()
    await client.put('k', { value: 1 })
    const rotated = await kvgate.fetch(`/admin/accounts/${account.account_id}/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const fresh = new Client(kvgate, (await rotated.json()).credentials.api_key)
    expect((await client.get('k')).status).toBe(401)
    expect((await fresh.get('k')).json.data.value).toBe(1)
    await kvgate.fetch(`/admin/accounts/${account.account_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect((await fresh.get('k')).status).toBe(401)
  })
})
