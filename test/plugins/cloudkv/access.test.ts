import { afterAll, beforeAll, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { CLOUDKV_MOUNTS, type CloudkvHarness, cloudkvHarness, type Mode } from './support.ts'

type Credential = 'none' | 'owner' | 'other account' | 'unknown key'
type Operation = 'GET' | 'HEAD' | 'find' | 'POST' | 'PUT' | 'DELETE'

const READS: Operation[] = ['GET', 'HEAD', 'find']
const WRITES: Operation[] = ['POST', 'PUT', 'DELETE']

/** The contract's table: what each mode answers each caller, per operation. */
function expected(mode: Mode, credential: Credential, operation: Operation): number {
  if (credential === 'unknown key') return 401
  const needsKey = mode === 'protected' || (mode === 'public-read' && WRITES.includes(operation))
  if (!needsKey || credential === 'owner') return 200
  return credential === 'none' ? 401 : 403
}

describeEachStoreAndMount('cloudkv: bucket modes x credentials', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  const keys: Record<Credential, string | undefined> = {
    none: undefined,
    owner: '',
    'other account': '',
    'unknown key': 'kvg_AAAAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  }
  const buckets = {} as Record<Mode, string>
  beforeAll(async () => {
    h = cloudkvHarness(store, { mount })
    keys.owner = (await h.account()).key
    keys['other account'] = (await h.account()).key
    for (const mode of ['public', 'public-read', 'protected'] as const)
      buckets[mode] = await h.bucket(keys.owner!, mode)
  })
  afterAll(() => h.kvgate.close())

  for (const mode of ['public', 'public-read', 'protected'] as const) {
    for (const credential of ['none', 'owner', 'other account', 'unknown key'] as const) {
      test(`${mode} bucket, ${credential}`, async () => {
        const bucket = buckets[mode]
        const key = keys[credential]
        // A value the owner wrote, so that reads that are allowed find it.
        expect((await h.call('PUT', `/kv/${bucket}/seen`, { key: keys.owner, body: 'seen' })).status).toBe(
          200,
        )
        for (const operation of [...READS, ...WRITES]) {
          const path =
            operation === 'find'
              ? `/kv/${bucket}?prefix=se`
              : `/kv/${bucket}/${WRITES.includes(operation) ? 'written' : 'seen'}`
          const method = operation === 'find' ? 'GET' : operation
          const body = method === 'POST' || method === 'PUT' ? 'value' : undefined
          const response = await h.call(method, path, { key, body })
          const status = expected(mode, credential, operation)
          expect(response.status, `${operation} ${mode} ${credential}`).toBe(status)
          if (status !== 200 && method !== 'HEAD') {
            const { message } = (await response.json()) as { message: string }
            expect(message).toBe(
              status === 401
                ? credential === 'unknown key'
                  ? 'invalid api-key'
                  : 'api-key required'
                : 'bucket belongs to another account',
            )
          }
          if (status === 200 && operation === 'GET') expect(await response.text()).toBe('seen')
          if (status !== 200 && (method === 'POST' || method === 'PUT')) {
            // Nothing was written.
            const read = await h.call('GET', `/kv/${bucket}/written`, { key: keys.owner })
            expect(read.status).toBe(404)
          }
          if (status === 200 && method !== 'DELETE' && WRITES.includes(operation)) {
            await h.call('DELETE', `/kv/${bucket}/written`, { key: keys.owner })
          }
        }
      })
    }
  }

  test('a refused delete leaves the key in place', async () => {
    const bucket = buckets['public-read']
    await h.call('PUT', `/kv/${bucket}/kept`, { key: keys.owner, body: 'kept' })
    expect((await h.call('DELETE', `/kv/${bucket}/kept`)).status).toBe(401)
    expect((await h.call('DELETE', `/kv/${bucket}/kept`, { key: keys['other account'] })).status).toBe(403)
    expect(await (await h.call('GET', `/kv/${bucket}/kept`)).text()).toBe('kept')
  })

  test('a rotated api-key stops working at once; the new one works', async () => {
    const account = await h.account()
    const bucket = await h.bucket(account.key, 'protected')
    const rotated = await h.kvgate.fetch(`/admin/accounts/${account.id}/rotate`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    })
    expect(rotated.status).toBe(200)
    const fresh = ((await rotated.json()) as { credentials: { api_key: string } }).credentials.api_key
    expect((await h.call('GET', '/buckets', { key: account.key })).status).toBe(401)
    expect((await h.call('PUT', `/kv/${bucket}/k`, { key: account.key, body: 'x' })).status).toBe(401)
    expect((await h.call('PUT', `/kv/${bucket}/k`, { key: fresh, body: 'x' })).status).toBe(200)
  })

  test('deleting an account deletes its buckets', async () => {
    const account = await h.account()
    const bucket = await h.bucket(account.key, 'public')
    await h.call('PUT', `/kv/${bucket}/k`, { body: 'x' })
    const deleted = await h.kvgate.fetch(`/admin/accounts/${account.id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    })
    expect(deleted.status).toBe(204)
    expect((await h.call('GET', `/kv/${bucket}/k`)).status).toBe(404)
    expect((await h.call('GET', '/buckets', { key: account.key })).status).toBe(401)
  })

  test('an api-key with one character changed is unknown', async () => {
    const response = await h.call('GET', '/buckets', {
      key: `${keys.owner!.slice(0, -1)}${keys.owner!.endsWith('x') ? 'y' : 'x'}`,
    })
    expect(response.status).toBe(401)
  })
})
