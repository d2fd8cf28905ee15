// A throwaway 3-master Redis Cluster on spare loopback ports, started from redis-server and stopped
// by the PIDs this run started.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { run, startChild, stopChild, waitFor } from './processes.ts'

export interface RedisCluster {
  nodes: string[]
  ports: number[]
  stop(): Promise<void>
}

/** A free port below 55536 whose cluster bus port (port + 10000) is free too. */
function clusterPort(): number {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    if (isFree(port) && isFree(port + 10_000)) return port
  }
}

function isFree(port: number): boolean {
  try {
    Bun.serve({ port, hostname: '127.0.0.1', fetch: () => new Response() }).stop(true)
    return true
  } catch {
    return false
  }
}

export async function startRedisCluster(dir: string): Promise<RedisCluster> {
  mkdirSync(dir, { recursive: true })
  const ports = [clusterPort(), clusterPort(), clusterPort()]
  const children = ports.map((port) =>
    startChild(
      [
        'redis-server',
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { logFile: join(dir, `redis-${port}.log`) },
    ),
  )
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)))
  }
  try {
    for (const port of ports) {
      await waitFor(
        `redis-server :${port}`,
        async () => run(['redis-cli', '-p', String(port), 'ping']).trim() === 'PONG',
      )
    }
    run([
      'redis-cli',
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    for (const port of ports) {
      await waitFor(`cluster state on :${port}`, async () =>
        run(['redis-cli', '-p', String(port), 'cluster', 'info']).includes('cluster_state:ok'),
      )
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: ports.map((port) => `127.0.0.1:${port}`), ports, stop }
}

/** used_memory of a Redis, in bytes. */
export function redisUsedMemory(port: number): number {
  const match = /used_memory:(\d+)/.exec(run(['redis-cli', '-p', String(port), 'info', 'memory']))
  return match ? Number(match[1]) : 0
}
