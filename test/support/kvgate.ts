// Builds a kvgate for tests from environment-style settings, on an in-memory store by default.

import { type Config, loadConfig } from '../../core/config.ts'
import type { Dialect } from '../../core/dialect.ts'
import { createKvgate, type Kvgate, type KvgateOptions } from '../../core/kvgate.ts'
import { holdTestPrefix } from './redis.ts'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'

export interface TestKvgate extends Kvgate {
  /** Answers a request as if it came from `peer`, without opening a port. */
  fetch(path: string, init?: RequestInit & { peer?: string; host?: string }): Promise<Response>
  /** Creates an operator account through the admin API and returns its JSON. */
  createAccount(
    dialect: string,
    name?: string,
  ): Promise<{ account_id: string; credentials: Record<string, string> }>
}

export function testKvgate(
  dialects: Dialect[],
  env: Record<string, string> = {},
  options: Pick<KvgateOptions, 'clock' | 'backend'> = {},
): TestKvgate {
  const config: Config = loadConfig({
    env: {
      KVGATE_DATA: ':memory:',
      KVGATE_LOG: 'silent',
      KVGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      KVGATE_SWEEP_INTERVAL_MS: '0',
      ...env,
    },
    argv: [],
    dialects,
  })
  const kvgate = createKvgate(config, dialects, options)
  const releasePrefix = holdTestPrefix(env)
  const fetch: TestKvgate['fetch'] = (path, init = {}) => {
    const { peer = '127.0.0.1', host = 'localhost', ...rest } = init
    const headers = new Headers(rest.headers)
    headers.set('host', host)
    return kvgate.server.fetch(new Request(`http://${host}${path}`, { ...rest, headers }), peer)
  }
  return {
    ...kvgate,
    fetch,
    async close() {
      await kvgate.close()
      await releasePrefix()
    },
    async createAccount(dialect, name) {
      const response = await fetch('/admin/accounts', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ dialect, name }),
      })
      if (response.status !== 201) throw new Error(`account creation failed: ${await response.text()}`)
      return response.json()
    },
  }
}

/** The same kvgate on a real port, for real clients. */
export function listenTestKvgate(kvgate: Kvgate): { url: string; stop(): Promise<void> } {
  const listener = kvgate.server.listen({ port: 0, hostname: '127.0.0.1' })
  return { url: `http://127.0.0.1:${listener.port}`, stop: () => listener.stop() }
}
