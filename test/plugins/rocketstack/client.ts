// A RocketStack test kvgate on one store, with an account and a small client speaking the dialect
// the way RocketStack's own examples do: plain requests with a Bearer API key.

import { afterEach } from 'bun:test'
import type { Clock } from '../../../core/engine/types.ts'
import { rocketstackDialect } from '../../../plugins/rocketstack-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import type { TestStore } from '../../support/stores.ts'

export const ITEMS = '/rocketstack/kv/items'

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
 * Opens a kvgate with the RocketStack dialect on `store` and creates one account; closed after
 * the test. `env` sets KVGATE_ROCKETSTACK_* options.
 */
export function rocketstackSetup(store: TestStore) {
  const opened: TestKvgate[] = []
  afterEach(async () => {
    for (const kvgate of opened.splice(0)) await kvgate.close()
  })
  return async function open(env: Record<string, string> = {}, options: { clock?: Clock } = {}) {
    const kvgate = testKvgate([rocketstackDialect], { ...store.env, ...env }, options)
    opened.push(kvgate)
    const account = await kvgate.createAccount('rocketstack')
    return { kvgate, account, client: new Client(kvgate, account.credentials.api_key!) }
  }
}
