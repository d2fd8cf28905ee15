// Shared setup of the KVdb black-box suites: a test kvgate on one store, and curl-like requests
// (-d joins form data with & and labels it urlencoded, -u sends Basic auth) so the seed document's
// examples read as they are written.

import { kvdbDialect } from '../../../plugins/kvdb-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { ManualClock } from '../../support/manual-clock.ts'
import type { TestStore } from '../../support/stores.ts'

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
  curl(path: string, options?: CurlOptions): Promise<Response>
  /** Creates a bucket with these form fields and returns its id. */
  createBucket(fields?: Record<string, string>): Promise<string>
}

export function kvdbHarness(store: TestStore, env: Record<string, string> = {}): KvdbHarness {
  const clock = new ManualClock()
  // The rate limit is off unless a test sets it; an empty value restores the dialect's default.
  const merged = { KVGATE_KVDB_RATE_LIMIT: '0', ...store.env, ...env }
  const settings = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''))
  const kv = testKvgate([kvdbDialect], settings, { clock })
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
    return kv.fetch(`/kvdb${path}`, { method, headers, body, peer: options.peer })
  }
  return {
    kv,
    clock,
    curl,
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
