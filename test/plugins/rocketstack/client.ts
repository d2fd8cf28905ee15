// A RocketStack test kvgate on one store and mount, with an account and a small client speaking the
// dialect the way RocketStack's own examples do: plain requests with a Bearer API key.
//
// Tests write their paths for the default prefix (/rocketstack/...); the kvgate a setup hands out
// moves them under its mount's prefix and sends the mount's Host, so each suite runs unchanged
// under every mount of test/support/mounts.ts.

import { afterEach } from 'bun:test'
import type { Clock } from '../../../core/engine/types.ts'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { type TestMount, testMounts } from '../../support/mounts.ts'
import type { TestStore } from '../../support/stores.ts'

const DEFAULT_PREFIX = '/rocketstack'

export const ITEMS = `${DEFAULT_PREFIX}/kv/items`

export const MOUNTS = testMounts('rocketstack', DEFAULT_PREFIX)

/** A path written for the default prefix, under the mount's prefix instead. */
export function mountPath(path: string, mount: TestMount): string {
  const rest = path.slice(DEFAULT_PREFIX.length)
  if (!path.startsWith(DEFAULT_PREFIX) || !/^([/?]|$)/.test(rest)) return path
  const moved = `${mount.prefix}${rest}`
  return moved.startsWith('/') ? moved : `/${moved}`
}

/** The kvgate as seen by a client of the mount: paths moved under its prefix, its Host sent. */
export function mounted(kvgate: TestKvgate, mount: TestMount): TestKvgate {
  return {
    ...kvgate,
    fetch: (path, init = {}) => kvgate.fetch(mountPath(path, mount), { host: mount.host, ...init }),
  }
}

/** The kvgate on a real port; `fetch` takes paths written for the default prefix, as above. */
export function listenMounted(kvgate: TestKvgate, mount: TestMount) {
  const server = listenTestKvgate(kvgate)
  return {
    ...server,
    fetch: (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
      fetch(`${server.url}${mountPath(path, mount)}`, {
        ...init,
        headers: { host: mount.host, ...init.headers },
      }),
  }
}

export interface Answer {
  status: number
  headers: Headers
  /** The raw body text. */
  text: string
  /** The parsed body (undefined when it is not JSON). */
  json: any
}

export class Client {
  constructor(
    readonly kvgate: TestKvgate,
    readonly apiKey: string,
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Answer> {
    const headers = new Headers(init.headers)
    if (!headers.has('authorization') && this.apiKey) headers.set('authorization', `Bearer ${this.apiKey}`)
    const response = await this.kvgate.fetch(path, { ...init, headers })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {}
    return { status: response.status, headers: response.headers, text, json }
  }

  /** PUT with a body given as an object (sent as JSON) or as raw text. */
  put(key: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request(`${ITEMS}/${key}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  }

  get(key: string): Promise<Answer> {
    return this.request(`${ITEMS}/${key}`)
  }

  delete(key: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request(`${ITEMS}/${key}`, { method: 'DELETE', headers })
  }

  list(query = ''): Promise<Answer> {
    return this.request(`${ITEMS}${query}`)
  }
}

/**
 * Opens a kvgate with the RocketStack dialect on `store` under `mount` (the default prefix unless
 * given) and creates one account; closed after the test. `env` sets KVGATE_ROCKETSTACK_* options.
 */
export function rocketstackSetup(store: TestStore, mount: TestMount = MOUNTS[0]!) {
  const opened: TestKvgate[] = []
  afterEach(async () => {
    for (const kvgate of opened.splice(0)) await kvgate.close()
  })
  return async function open(env: Record<string, string> = {}, options: { clock?: Clock } = {}) {
    const served = testKvgate([rocketstackDialect], { ...store.env, ...mount.env, ...env }, options)
    opened.push(served)
    const kvgate = mounted(served, mount)
    const account = await kvgate.createAccount('rocketstack')
    return { kvgate, account, client: new Client(kvgate, account.credentials.api_key!) }
  }
}
