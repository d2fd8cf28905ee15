// Peer: etcd (Debian's etcd-server), one member on loopback, through its v3 JSON gateway: GET is
// POST /v3/kv/range and PUT is POST /v3/kv/put, keys and values in base64.

import { join } from 'node:path'
import { answers, freePort, startChild, stopChild, waitFor } from '../processes.ts'
import type { Peer } from './webdis.ts'

const b64 = (text: string) => Buffer.from(text).toString('base64')

export async function startEtcd(dir: string): Promise<Peer> {
  const client = freePort()
  const peer = freePort()
  const url = `http://127.0.0.1:${client}`
  const child = startChild(
    [
      'etcd',
      '--name=bench',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=bench=http://127.0.0.1:${peer}`,
      '--log-level=error',
    ],
    { logFile: join(dir, 'etcd.log') },
  )
  await waitFor('etcd', answers(`${url}/health`))
  const json = { 'content-type': 'application/json' }
  return {
    name: 'etcd',
    pid: child.pid,
    url,
    missIsOk: true,
    front: {
      getKey: (key) => ({
        method: 'POST',
        path: '/v3/kv/range',
        headers: json,
        body: JSON.stringify({ key: b64(key) }),
      }),
      putKey: (key, value) => ({
        method: 'POST',
        path: '/v3/kv/put',
        headers: json,
        body: JSON.stringify({ key: b64(key), value: b64(value) }),
      }),
    },
    stop: () => stopChild(child),
  }
}
