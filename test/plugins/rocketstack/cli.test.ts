// `kvgate admin accounts create --dialect rocketstack` makes an API key that the server accepts.

import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../../core/cli/admin.ts'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { Client } from './client.ts'

describeEachStore('RocketStack accounts from the command line', (store) => {
  test('an API key created with kvgate admin works against the server on the same store', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kvgate-rocketstack-'))
    // Read once: each read of a Redis store's env is a fresh prefix. An in-memory SQLite store is
    // not shared between two engines: use a file for this test.
    const storeEnv = store.env
    const env = storeEnv.KVGATE_DATA ? { ...storeEnv, KVGATE_DATA: join(folder, 'kvgate.db') } : storeEnv
    try {
      const created = (await runAdmin(
        ['accounts', 'create', '--dialect', 'rocketstack', '--name', 'shop'],
        env,
        [rocketstackDialect],
      )) as { account_id: string; dialect: string; credentials: Record<string, string> }
      expect(created.dialect).toBe('rocketstack')
      expect(Object.keys(created.credentials)).toEqual(['api_key'])
      const kvgate = testKvgate([rocketstackDialect], env)
      try {
        const client = new Client(kvgate, created.credentials.api_key!)
        expect((await client.put('hello', { value: 'world' })).status).toBe(200)
        expect((await client.get('hello')).json.data.value).toBe('world')
        // Deleted while the server runs (closing the last test kvgate drops a Redis prefix).
        await runAdmin(['accounts', 'delete', created.account_id], env, [rocketstackDialect])
        expect((await client.get('hello')).status).toBe(401)
      } finally {
        await kvgate.close()
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})
