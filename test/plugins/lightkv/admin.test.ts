// `kvgate admin` creates LightKV apps and rotates their tokens: run as the real command, on the
// same store a server then answers from.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runKvgate } from '../../support/process.ts'
import { describeEachStore } from '../../support/stores.ts'
import { failure, type LightKvTest, lightKvTest } from './lightkv.ts'

describeEachStore('lightkv: kvgate admin', (store) => {
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-lightkv-admin-'))
  // Two processes share the store, so an in-memory database becomes a file.
  const env =
    store.env.KVGATE_DATA === ':memory:' ? { ...store.env, KVGATE_DATA: join(dir, 'kv.db') } : store.env
  let kv: LightKvTest
  beforeAll(async () => {
    kv = await lightKvTest(store, { env })
  })
  afterAll(async () => {
    await kv.close()
    rmSync(dir, { recursive: true, force: true })
  })

  async function admin(...args: string[]): Promise<any> {
    const { stdout, stderr, code } = await runKvgate(['admin', 'accounts', ...args], env)
    if (code !== 0) throw new Error(`kvgate admin ${args.join(' ')} failed: ${stderr}`)
    return JSON.parse(stdout)
  }

  test('creates an app with both tokens, shown once, and rotates them', async () => {
    const created = await admin('create', '--dialect', 'lightkv', '--name', 'shop')
    expect(created).toEqual({
      account_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      dialect: 'lightkv',
      credentials: { read_token: expect.any(String), readwrite_token: expect.any(String) },
    })
    const { read_token: read, readwrite_token: readwrite } = created.credentials
    expect((await kv.post('/item/write', { key: 'k', value: 'v' }, readwrite)).status).toBe(200)
    expect((await kv.get('/item/read?key=k', read)).body).toEqual({
      ok: true,
      data: { key: 'k', value: 'v' },
    })
    expect((await kv.post('/item/write', { key: 'k', value: 'v' }, read)).body).toEqual(failure('FORBIDDEN'))

    // Listing shows the app but never its tokens.
    const listed = await admin('list')
    expect(listed).toContainEqual({
      account_id: created.account_id,
      dialect: 'lightkv',
      name: 'shop',
      created_at: expect.any(String),
    })
    expect(JSON.stringify(listed)).not.toContain(read)

    const rotated = await admin('rotate', created.account_id, '--which', 'readwrite')
    expect(rotated).toEqual({
      account_id: created.account_id,
      dialect: 'lightkv',
      credentials: { readwrite_token: expect.any(String) },
    })
    expect((await kv.post('/item/write', { key: 'k', value: 'w' }, readwrite)).body).toEqual(
      failure('UNAUTHORIZED'),
    )
    const fresh = rotated.credentials.readwrite_token
    expect((await kv.post('/item/write', { key: 'k', value: 'w' }, fresh)).status).toBe(200)
    // The data stays with the app, and the untouched read token still reads it.
    expect((await kv.get('/item/read?key=k', read)).body.data.value).toBe('w')
  }, 30_000)
})
