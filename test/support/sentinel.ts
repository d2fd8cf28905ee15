// A private Redis Sentinel set-up for tests: a master, a replica and three sentinels, started from
// redis-server on spare ports. No data touches the disk (no RDB, no AOF, diskless replication); the
// sentinels' configuration files, which Sentinel insists on being able to rewrite, sit in a
// temporary folder that goes with the set-up. Every process is stopped by its PID, and by a
// watchdog shell should this test process end first.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, running } from './process.ts'

export const SENTINEL_MASTER = 'kvgate'

export interface SentinelGroup {
  /** host:port of the three sentinels (REDIS_SENTINELS). */
  sentinels: string[]
  /** The port of the server the sentinels name as master now. */
  masterPort(): number
  /** The ports of the first master and its replica. */
  ports: [number, number]
  /** Kills a server at once, as a crash would, and waits until it is gone. */
  kill(port: number): Promise<void>
  /** Starts a server on `port` as a replica of the one on `masterPort`, and waits until it is in sync. */
  startReplica(port: number, masterPort: number): Promise<void>
  /** Runs redis-cli against a port; its output. */
  cli(port: number, ...args: string[]): string
  /** Stops every process and, once they are gone, removes the folder. */
  remove(): Promise<void>
}

const SERVER_ARGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
// Replication without a file on either side, and at once (no wait for more replicas to join).
const MASTER_ARGS = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0']
const REPLICA_ARGS = ['--repl-diskless-load', 'on-empty-db']

export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-sentinel-'))
  const pids = new Map<number, number>()
  const [masterPort, replicaPort] = [freePort(), freePort()]
  const sentinelPorts = [freePort(), freePort(), freePort()]
  const cli = (port: number, ...args: string[]) => {
    const result = Bun.spawnSync(['redis-cli', '-p', String(port), ...args], { timeout: 5000 })
    return `${result.stdout.toString()}${result.stderr.toString()}`
  }
  const spawn = (port: number, args: string[]) => {
    const child = Bun.spawn(['redis-server', ...args], {
      cwd: dir,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
    })
    child.unref()
    pids.set(port, child.pid)
  }
  const kill = (port: number) => {
    const pid = pids.get(port)
    pids.delete(port)
    if (pid === undefined) return null
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
    return pid
  }
  const watchdogs: number[] = []
  /** Kills these servers once this process is gone, however it ended (`bun test` runs no exit handlers). */
  const watch = (ports: number[]) => {
    const victims = ports.map((port) => pids.get(port)).join(' ')
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill -9 ${victims} 2>/dev/null; rm -rf '${dir}'`
    const shell = Bun.spawn(['sh', '-c', script], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
    shell.unref()
    watchdogs.push(shell.pid)
  }
  const startServer = async (port: number, replicaOf: number | null) => {
    spawn(port, [
      '--port',
      String(port),
      ...SERVER_ARGS,
      ...MASTER_ARGS,
      ...(replicaOf === null ? [] : [...REPLICA_ARGS, '--replicaof', '127.0.0.1', String(replicaOf)]),
    ])
    await until(`redis-server on port ${port} answers`, () => cli(port, 'ping').includes('PONG'))
    if (replicaOf !== null) {
      await until(`the replica on port ${port} is in sync`, () =>
        cli(port, 'info', 'replication').includes('master_link_status:up'),
      )
    }
  }

  const group: SentinelGroup = {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
    ports: [masterPort, replicaPort],
    masterPort() {
      const [, port] = cli(sentinelPorts[0]!, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER)
        .trim()
        .split('\n')
      return Number(port)
    },
    async kill(port) {
      const pid = kill(port)
      if (pid !== null) await until(`redis-server on port ${port} is gone`, () => !running(pid))
    },
    async startReplica(port, of) {
      await startServer(port, of)
      watch([port])
    },
    cli,
    async remove() {
      for (const pid of watchdogs.splice(0)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
      const killed = [...pids.keys()].map(kill)
      // A sentinel still alive could rewrite its file into the folder while it is being removed.
      for (const pid of killed) if (pid !== null) await until(`process ${pid} is gone`, () => !running(pid))
      rmSync(dir, { recursive: true, force: true })
    },
  }

  try {
    await startServer(masterPort, null)
    await startServer(replicaPort, masterPort)
    // Started once the replica is in sync, so the sentinels' first look at the master finds it
    // (they would otherwise look again only ten seconds later).
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`)
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 3000`,
          '',
        ].join('\n'),
      )
      spawn(port, [file, '--sentinel'])
    }
    watch([masterPort, replicaPort, ...sentinelPorts])
    for (const port of sentinelPorts) {
      await until(`sentinel on port ${port} knows the replica and the other sentinels`, () => {
        const fields = cli(port, 'sentinel', 'master', SENTINEL_MASTER).trim().split('\n')
        const field = (name: string) => fields[fields.indexOf(name) + 1]
        return field('num-slaves') === '1' && field('num-other-sentinels') === '2'
      })
    }
  } catch (error) {
    await group.remove()
    throw error
  }
  return group
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await Bun.sleep(50)
  }
}
