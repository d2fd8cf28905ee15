// Helpers of the CloudKV black-box tests: a kvgate with the dialect under one of the test mounts
// (default prefix, another prefix, a host route), accounts, buckets, and requests that go to the
// dialect wherever it is mounted.

import { cloudkvDialect } from '../../../plugins/cloudkv-compat/index.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import { type TestMount, testMounts } from '../../support/mounts.ts'
import type { TestStore } from '../../support/stores.ts'

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const BUCKET_ID = /^a[0-9A-Za-z]{15}$/

export type Mode = 'public' | 'public-read' | 'protected'

/** Every mount the black-box suites run under; the first is the default prefix, /cloudkv. */
export const CLOUDKV_MOUNTS = testMounts('cloudkv', cloudkvDialect.defaultPrefix)
export const DEFAULT_MOUNT = CLOUDKV_MOUNTS[0]!

type CallInit = { key?: string; body?: BodyInit; headers?: Record<string, string> }

export interface CloudkvHarness {
  kvgate: TestKvgate
  clock: ManualClock
  mount: TestMount
  /** A request to `path` below the dialect's base URL, with `key` as its api-key header when given. */
  call(method: string, path: string, init?: CallInit): Promise<Response>
  /** A new cloudkv account: its id and api-key. */
  account(): Promise<{ id: string; key: string }>
  /** A new bucket of the given mode, created with the account's key; its id. */
  bucket(key: string, access?: string, comment?: string): Promise<string>
  /** The same kvgate on a real port. */
  listen(): ServedCloudkv
}

export interface ServedCloudkv {
  /** The origin, http://127.0.0.1:PORT. */
  url: string
  /** The dialect's base URL as a client of this mount uses it (the collection's endpoint_url). */
  endpoint: string
  /** A request over the port to `path` below the dialect's base URL, with the mount's Host. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

export function cloudkvHarness(
  store: TestStore,
  options: { mount?: TestMount; env?: Record<string, string> } = {},
): CloudkvHarness {
  const { mount = DEFAULT_MOUNT, env = {} } = options
  // Starts at the real time: Redis expires entries itself, by the wall clock, a little after their expiry.
  const clock = new ManualClock()
  const kvgate = testKvgate([cloudkvDialect], { ...store.env, ...mount.env, ...env }, { clock })
  const call: CloudkvHarness['call'] = (method, path, init = {}) =>
    kvgate.fetch(`${mount.prefix}${path}`, {
      method,
      host: mount.host,
      body: init.body,
      headers: { ...(init.key === undefined ? {} : { 'api-key': init.key }), ...init.headers },
    })
  return {
    kvgate,
    clock,
    mount,
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
    listen() {
      const server = listenTestKvgate(kvgate)
      return {
        url: server.url,
        endpoint: `${server.url}${mount.prefix}`,
        fetch(path, init = {}) {
          const headers = new Headers(init.headers)
          headers.set('host', mount.host)
          return fetch(`${server.url}${mount.prefix}${path}`, { ...init, headers })
        },
        stop: () => server.stop(),
      }
    },
  }
}

export const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer())
