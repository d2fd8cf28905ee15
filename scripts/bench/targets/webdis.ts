// Peer: Webdis (Debian's package), an HTTP front end to the same Redis kvgate uses, in the same db.
// Its keys carry a run-unique prefix and are deleted afterwards.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { answers, freePort, startChild, stopChild, waitFor } from '../processes.ts'
import type { FrontEnd } from '../scenarios.ts'

export interface Peer {
  name: string
  pid: number
  url: string
  front: FrontEnd
  /** A miss answers 200 with an empty result instead of 404. */
  missIsOk: boolean
  stop(): Promise<void>
}

export async function startWebdis(options: {
  redisPort: number
  redisDb: number
  keyPrefix: string
  dir: string
}): Promise<Peer> {
  const port = freePort()
  const config = join(options.dir, 'webdis.json')
  writeFileSync(
    config,
    JSON.stringify({
      redis_host: '127.0.0.1',
      redis_port: options.redisPort,
      redis_auth: null,
      http_host: '127.0.0.1',
      http_port: port,
      // One per core, as its own default configuration ships.
      threads: 2,
      pool_size: 16,
      daemonize: false,
      database: options.redisDb,
      verbosity: 0,
      logfile: join(options.dir, 'webdis.log'),
    }),
  )
  const child = startChild(['webdis', config], { logFile: join(options.dir, 'webdis.out') })
  const url = `http://127.0.0.1:${port}`
  await waitFor('webdis', answers(`${url}/PING`))
  const key = (name: string) => encodeURIComponent(`${options.keyPrefix}${name}`)
  return {
    name: 'webdis',
    pid: child.pid,
    url,
    missIsOk: true,
    front: {
      getKey: (name) => ({ method: 'GET', path: `/GET/${key(name)}` }),
      // Webdis appends a PUT body as the command's last argument.
      putKey: (name, value) => ({ method: 'PUT', path: `/SET/${key(name)}`, body: value }),
      increment: (name) => ({ method: 'GET', path: `/INCR/${key(name)}` }),
    },
    stop: () => stopChild(child),
  }
}
