// `kvgate admin accounts create --dialect workers-kv` makes an API token that the dialect accepts.
// The command works on a store file directly, so this runs on an SQLite file rather than per store.

import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../../core/cli/admin.ts'
import { workersKvDialect } from '../../../plugins/workers-kv-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { expectError, expectOk } from './helpers.ts'

const folder = mkdtempSync(join(tmpdir(), 'kvgate-workers-kv-admin-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

test('kvgate admin accounts create/rotate --dialect workers-kv issue API tokens', async () => {
  const env = { KVGATE_DATA: join(folder, 'kv.db'), KVGATE_LOG: 'silent' }
  const created = (await runAdmin(['accounts', 'create', '--dialect', 'workers-kv', '--name', 'cli'], env, [
    workersKvDialect,
  ])) as { account_id: string; dialect: string; credentials: { api_token: string } }
  expect(created).toEqual({
    account_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    dialect: 'workers-kv',
    credentials: { api_token: expect.stringMatching(/^kvg_/) },
  })
  const kvgate = testKvgate([workersKvDialect], env)
  try {
    const ns = `/client/v4/accounts/${created.account_id}/storage/kv/namespaces`
    const auth = { authorization: `Bearer ${created.credentials.api_token}` }
    await expectOk(
      await kvgate.fetch(ns, { method: 'POST', headers: auth, body: '{"title":"from the cli"}' }),
    )
    const rotated = (await runAdmin(['accounts', 'rotate', created.account_id], env, [workersKvDialect])) as {
      credentials: { api_token: string }
    }
    await expectError(await kvgate.fetch(ns, { headers: auth }), 401, 10000)
    const listed = await expectOk(
      await kvgate.fetch(ns, { headers: { authorization: `Bearer ${rotated.credentials.api_token}` } }),
    )
    expect(listed.result.map((each: { title: string }) => each.title)).toEqual(['from the cli'])
  } finally {
    await kvgate.close()
  }
})
