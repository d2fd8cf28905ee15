// Helpers of the CloudKV black-box tests: a kvgate with the dialect, accounts, buckets, requests.

import { cloudkvDialect } from '../../../plugins/cloudkv-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import type { TestStore } from '../../support/stores.ts'

export const PREFIX = '/cloudkv'
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const BUCKET_ID = /^a[0-9A-Za-z]{15}$/

export type Mode = 'public' | 'public-read' | 'protected'

export interface CloudkvHarness {
  kvgate: TestKvgate
  clock: ManualClock
  /** A request under /cloudkv, with `key` as its api-key header when given. */
  call(
    method: string,
    path: string,
    init?: { key?: string; body?: BodyInit; headers?: Record<string, string> },
  ): Promise<Response>
  /** A new cloudkv account: its id and api-key. */
  account(): Promise<{ id: string; key: string }>
  /** A new bucket of the given mode, created with the account's key; its id. */
  bucket(key: string, access?: string, comment?: string): Promise<string>
}

export function cloudkvHarness(store: TestStore, env: Record<string, string> = {}): CloudkvHarness {
  // Starts at the real time: Redis expires entries itself, by the wall clock, a little after their expiry.
  const clock = new ManualClock()
  const kvgate = testKvgate([cloudkvDialect], { ...store.env, ...env }, { clock })
  const call: CloudkvHarness['call'] = (method, path, init = {}) =>
    kvgate.fetch(`${PREFIX}${path}`, {
      method,
      body: init.body,
      headers: { ...(init.key === undefined ? {} : { 'api-key': init.key }), ...init.headers },
    })
  return {
    kvgate,
    clock,
    call,
    async account() {
      const created = await kvgate.createAccount('cloudkv')
      return { id: created.account_id, key: created.credentials.api_key! }
    },
    async bucket(key, access = 'public', comment) {
      const form = new FormData()
      form.set('access', access)
      if (comment !== undefined) form.set('comment', comment)
      const response = await call('POST', '/buckets', { key, body: form })
      if (response.status !== 201) throw new Error(`bucket creation failed: ${await response.text()}`)
      return ((await response.json()) as { bucket_id: string }).bucket_id
    },
  }
}

export const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer())
