// Two kvgate processes on one Redis: an account made through one works at once through the other,
// and a write through one is read through the other (no cache anywhere between them and Redis).

import { afterAll, expect, test } from 'bun:test'
import { type KvgateChild, startKvgateChild } from '../support/process.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const url = redisUrl()
const prefix = testPrefix()
const ADMIN_TOKEN = 'redis-processes-admin-token'
const children: KvgateChild[] = []

afterAll(async () => {
  for (const child of children) await child.stop()
  await dropPrefix({ url }, prefix)
})

async function startKvgate(): Promise<string> {
  const child = await startKvgateChild({
    REDIS_URL: url,
    KVGATE_REDIS_PREFIX: prefix,
    KVGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    KVGATE_LOG: 'silent',
  })
  children.push(child)
  return child.url
}

test.skipIf(!(await requireRedis('redis', url)))(
  'a write through one kvgate process is read through another on the same Redis',
  async () => {
    const [first, second] = await Promise.all([startKvgate(), startKvgate()])
    expect(await (await fetch(`${second}/healthz`)).json()).toEqual({ status: 'ok', backend: 'redis' })

    const created = await fetch(`${first}/admin/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ dialect: 'lightkv', name: 'shared' }),
    })
    expect(created.status).toBe(201)
    const { account_id: id, credentials } = await created.json()
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

    const write = await fetch(`${first}/lightkv/item/write`, {
      method: 'POST',
      headers: { ...bearer(credentials.readwrite_token), 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'greeting', value: 'hello from the first process' }),
    })
    expect(write.status).toBe(200)
    const read = await fetch(`${second}/lightkv/item/read?key=greeting`, {
      headers: bearer(credentials.read_token),
    })
    expect(read.status).toBe(200)
    expect((await read.json()).data).toEqual({ key: 'greeting', value: 'hello from the first process' })

    // A rotation through the second process locks the old token out of the first at once.
    const rotated = await fetch(`${second}/admin/accounts/${id}/rotate`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    })
    expect(rotated.status).toBe(200)
    const stale = await fetch(`${first}/lightkv/item/read?key=greeting`, {
      headers: bearer(credentials.read_token),
    })
    expect(stale.status).toBe(401)
  },
  30_000,
)
