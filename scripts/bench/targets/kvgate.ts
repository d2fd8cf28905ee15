// kvgate under load: started from source (as `npm start` runs it) on loopback, on one store, with
// every dialect this build has enabled and the access log off (KVGATE_LOG=warn).

import { join } from 'node:path'
import type { DialectBench, KvgateHandle } from '../dialects/types.ts'
import { answers, freePort, startChild, stopChild, waitFor } from '../processes.ts'

export const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef'
const ROOT = join(import.meta.dir, '../../..')

export interface KvgateServer {
  pid: number
  url: string
  handle: KvgateHandle
  stop(): Promise<void>
}

export async function startKvgate(options: {
  storeEnv: Record<string, string>
  dialects: DialectBench[]
  logFile: string
  logLevel?: string
  /** The program to run instead of core/main.ts (the echo floor, the profiling wrapper). */
  entry?: string
  /** Arguments put before --port (the wrapper's own entry). */
  entryArgs?: string[]
  extraEnv?: Record<string, string>
  /** Sets KVGATE_DIALECTS to the benched dialects (default: unless another entry is run). */
  enableDialects?: boolean
  /** Flags for bun itself, e.g. ['--cpu-prof-md', '--cpu-prof-dir=/tmp/prof'] to profile the server. */
  bunFlags?: string[]
}): Promise<KvgateServer> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const child = startChild(
    [
      process.execPath,
      ...(options.bunFlags ?? []),
      options.entry ?? join(ROOT, 'core/main.ts'),
      ...(options.entryArgs ?? []),
      '--port',
      String(port),
    ],
    {
      cwd: ROOT,
      logFile: options.logFile,
      env: {
        KVGATE_HOST: '127.0.0.1',
        KVGATE_LOG: options.logLevel ?? 'warn',
        KVGATE_ADMIN_TOKEN: ADMIN_TOKEN,
        KVGATE_DIALECTS:
          (options.enableDialects ?? !options.entry)
            ? options.dialects.map((dialect) => dialect.name).join(',')
            : undefined,
        // The benchmark's own settings win over whatever the caller's shell has.
        KVGATE_DATA: undefined,
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: undefined,
        REDIS_SENTINELS: undefined,
        REDIS_SENTINEL_MASTER: undefined,
        KVGATE_WORKERS: undefined,
        ...Object.assign({}, ...options.dialects.map((dialect) => dialect.env ?? {})),
        ...options.storeEnv,
        ...options.extraEnv,
      },
    },
  )
  try {
    await waitFor(`kvgate on ${url}`, answers(`${url}/healthz`))
  } catch (error) {
    await stopChild(child)
    throw new Error(`${(error as Error).message}; see ${options.logFile}`)
  }
  const call: KvgateHandle['call'] = async (path, init) => {
    const response = await fetch(`${url}${path}`, init)
    if (!response.ok)
      throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`)
    return response
  }
  return {
    pid: child.pid,
    url,
    handle: {
      url,
      call,
      async createAccount(dialect) {
        const response = await call('/admin/accounts', {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ dialect, name: `bench-${dialect}` }),
        })
        return response.json()
      },
    },
    stop: () => stopChild(child),
  }
}
