// Shared setup of the KVdb black-box suites: a test kvgate on one store with KVdb at one mount, and
// curl-like requests (-d joins form data with & and labels it urlencoded, -u sends Basic auth) so
// the seed document's examples read as they are written, with paths relative to the base URL.

import { kvdbDialect } from '../../../plugins/kvdb-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import { type TestMount, testMounts } from '../../support/mounts.ts'
import type { TestStore } from '../../support/stores.ts'

/** Where the suites mount KVdb: its default prefix, another prefix, and the root of a host name. */
export const KVDB_MOUNTS = testMounts('kvdb', kvdbDialect.defaultPrefix)
/** The real clients' suites (curl, the npm client) run only here; the others cover every mount. */
export const DEFAULT_MOUNT = KVDB_MOUNTS[0]!

export interface CurlOptions {
  /** -d: form data, joined by & (curl's urlencoded body, sent as is). */
  data?: string[]
  /** --data-binary: a raw body. */
  body?: BodyInit
  /** -u 'user:' */
  user?: string
  /** -X */
  method?: string
  /** -H */
  headers?: Record<string, string>
  peer?: string
}

export interface KvdbHarness {
  kv: TestKvgate
  clock: ManualClock
  mount: TestMount
  curl(path: string, options?: CurlOptions): Promise<Response>
  /** kv.fetch with the path below the mount's base URL, sent to the mount's host. */
  fetch(path: string, init?: RequestInit & { peer?: string }): Promise<Response>
  /** Creates a bucket with these form fields and returns its id. */
  createBucket(fields?: Record<string, string>): Promise<string>
}

export function kvdbHarness(
  store: TestStore,
  mount: TestMount = DEFAULT_MOUNT,
  env: Record<string, string> = {},
): KvdbHarness {
  const clock = new ManualClock()
  // The rate limit is off unless a test sets it; an empty value restores the dialect's default.
  const merged = { KVGATE_KVDB_RATE_LIMIT: '0', ...store.env, ...mount.env, ...env }
  const settings = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''))
  const kv = testKvgate([kvdbDialect], settings, { clock })
  const fetch: KvdbHarness['fetch'] = (path, init = {}) =>
    kv.fetch(`${mount.prefix}${path}`, { ...init, host: mount.host })
  const curl = (path: string, options: CurlOptions = {}) => {
    const headers: Record<string, string> = {}
    let body: BodyInit | undefined = options.body
    if (options.data) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = options.data.join('&')
    }
    if (options.user !== undefined) headers.authorization = `Basic ${btoa(options.user)}`
    Object.assign(headers, options.headers)
    const method = options.method ?? (body !== undefined ? 'POST' : 'GET')
    return fetch(path, { method, headers, body, peer: options.peer })
  }
  return {
    kv,
    clock,
    mount,
    curl,
    fetch,
    async createBucket(fields = {}) {
      const data = Object.entries(fields).map(
        ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
      )
      const response = await curl('/', { data: data.length > 0 ? data : ['email=test@example.com'] })
      if (response.status !== 200) throw new Error(`bucket creation failed: ${await response.text()}`)
      return response.text()
    },
  }
}

/** Status and body text, for compact assertions. */
export async function answer(response: Response): Promise<[number, string]> {
  return [response.status, await response.text()]
}
