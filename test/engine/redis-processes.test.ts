// Two kvgate processes on one Redis: an account made through one works at once through the other,
// and a write through one is read through the other (no cache anywhere between them and Redis).

import { afterAll, expect, test } from 'bun:test'
import { BUN, childEnv, freePort, ROOT, waitForHealthy } from '../support/process.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const url = redisUrl()
const prefix = testPrefix()
const ADMIN_TOKEN = 'redis-processes-admin-token'
const children: Array<{ kill(signal?: number | NodeJS.Signals): void; exited: Promise<number> }> = []

afterAll(async () => {
  for (const child of children) {
    child.kill('SIGTERM')
    await child.exited
  }
  await dropPrefix({ url }, prefix)
})

async function startKvgate(): Promise<string> {
  const port = freePort()
  const child = Bun.spawn([BUN, `${ROOT}core/main.ts`, '--port', String(port), '--host', '127.0.0.1'], {
    env: childEnv({
      REDIS_URL: url,
      KVGATE_REDIS_PREFIX: prefix,
      KVGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      KVGATE_LOG: 'silent',
    }),
    stdout: 'ignore',
    stderr: 'inherit',
  })
  children.push(child)
  const base = `http://127.0.0.1:${port}`
  await waitForHealthy(`${base}/healthz`)
  return base
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
