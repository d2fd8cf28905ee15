// The tests' echo dialect, served by servers/kvgate-echo.ts: the floor every real dialect stands on.

import type { DialectBench } from './types.ts'
import { pathKey } from './types.ts'

export const echo: DialectBench = {
  name: 'echo',
  env: { KVGATE_ECHO_MAX_VALUE_BYTES: '4096' },
  async open(kvgate) {
    const account = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${account.credentials.api_key}` }
    return {
      namespace: account.account_id,
      front: {
        getKey: (key) => ({ method: 'GET', path: `/echo/items/${pathKey(key)}`, headers: auth }),
        putKey: (key, value) => ({
          method: 'PUT',
          path: `/echo/items/${pathKey(key)}`,
          headers: auth,
          body: value,
        }),
      },
    }
  },
}
