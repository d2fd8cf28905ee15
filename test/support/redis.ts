// Redis for tests: the shared Redis (REDIS_URL, else 127.0.0.1:6379), and a private 3-master
// Redis Cluster started from redis-server on spare ports the first time a test asks for it (once
// per test process, so every suite reuses it) and stopped when the process exits.
// Tests use key prefixes of their own and remove them after; nothing here ever flushes a Redis.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster, Redis } from 'ioredis'
import { BASE62, randomString } from '../../core/ids.ts'
import { freePort } from './process.ts'

export const redisUrl = (): string => process.env.REDIS_URL || 'redis://127.0.0.1:6379'

/** Every key prefix this test process handed out: the run ends by checking that none kept a key. */
const handedOut = new Set<string>()

/** A key prefix no other test process uses; its time lets stale ones be told apart. */
export function testPrefix(): string {
  const prefix = `kvgate-test:${Date.now()}:${randomString(BASE62, 8)}:`
  handedOut.add(prefix)
  return prefix
}

/** The test prefix a key starts with: kvgate-test:<time>:<random>: */
const prefixOf = (key: Buffer) => key.toString('latin1').split(':', 3).join(':').concat(':')

export type RedisTarget = { url: string } | { nodes: string[] }

function connect(target: RedisTarget): Redis | Cluster {
  const options = {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  }
  return 'url' in target
    ? new Redis(target.url, options)
    : new Cluster(
        target.nodes.map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) })),
        { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: options },
      )
}

/**
 * Whether the store answers (null: there is none, for the reason given); in CI (CI=true) an
 * unreachable store fails the run instead, elsewhere its tests are skipped with a loud line.
 */
export async function requireRedis(
  name: string,
  target: string | RedisTarget | null,
  missing = 'not started',
): Promise<boolean> {
  const resolved = typeof target === 'string' ? { url: target } : target
  let reason = missing
  if (resolved) {
    const client = connect(resolved)
    client.on('error', (error: Error) => {
      reason = error.message
    })
    try {
      await client.connect()
      await client.ping()
      return true
    } catch (error) {
      reason = `${(error as Error).message}${reason !== missing ? ` (${reason})` : ''}`
    } finally {
      client.disconnect()
    }
  }
  const where = !resolved ? '' : ` at ${'url' in resolved ? resolved.url : resolved.nodes.join(',')}`
  const message = `${name}${where} is unreachable: ${reason}`
  if (process.env.CI === 'true') throw new Error(`${message} (CI needs it)`)
  console.warn(`\n!!!!! SKIPPING the ${name} tests: ${message} !!!!!\n`)
  return false
}

/** Removes every key under a prefix, node by node (SCAN is fine here: this is test clean-up). */
export async function dropPrefix(target: RedisTarget, prefix: string): Promise<void> {
  const client = connect(target)
  client.on('error', () => {})
  try {
    await client.connect()
    const nodes = client instanceof Cluster ? client.nodes('master') : [client]
    for (const node of nodes) {
      let cursor = '0'
      do {
        // Keys hold arbitrary bytes: read them as buffers, or UNLINK would get mangled names.
        const [next, keys] = await node.scanBuffer(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        cursor = next.toString()
        // One UNLINK per key: in a cluster, keys of one batch may sit in different slots.
        await Promise.all(keys.map((key) => node.unlink(key)))
      } while (cursor !== '0')
    }
  } finally {
    client.disconnect()
  }
}

const openPrefixes = new Map<string, number>()

/** Counts a test kvgate on a test prefix, so its keys go when the last one using it closes. */
export function holdTestPrefix(env: Record<string, string>): () => Promise<void> {
  const prefix = env.KVGATE_REDIS_PREFIX
  if (!prefix?.startsWith('kvgate-test:')) return async () => {}
  openPrefixes.set(prefix, (openPrefixes.get(prefix) ?? 0) + 1)
  let released = false
  return async () => {
    if (released) return
    released = true
    const left = openPrefixes.get(prefix)! - 1
    if (left > 0) return void openPrefixes.set(prefix, left)
    openPrefixes.delete(prefix)
    const target = env.REDIS_URL
      ? { url: env.REDIS_URL }
      : { nodes: (env.REDIS_CLUSTER_NODES ?? '').split(',') }
    // A courtesy to the shared Redis: never let it hold up a test that is closing. The check at
    // the end of the run waits for what is still under way.
    const drop = dropPrefix(target, prefix).catch(() => {})
    pendingDrops.add(drop)
    drop.finally(() => pendingDrops.delete(drop))
    await Promise.race([drop, Bun.sleep(2000)])
  }
}

const pendingDrops = new Set<Promise<void>>()

/**
 * Keys still held under any prefix this process handed out, on the shared Redis and on this
 * process's cluster, once every prefix drop under way has finished; each such key is then removed.
 * Something that made them was never closed (a test kvgate, an engine, a child process).
 */
export async function sweepLeftoverTestKeys(): Promise<string[]> {
  if (handedOut.size === 0) return []
  await Promise.all(pendingDrops)
  const targets: RedisTarget[] = [{ url: redisUrl() }]
  if (cluster) targets.push({ nodes: cluster.nodes })
  const left: string[] = []
  for (const target of targets) {
    const client = connect(target)
    client.on('error', () => {})
    try {
      await client.connect()
      const nodes = client instanceof Cluster ? client.nodes('master') : [client]
      for (const node of nodes) {
        let cursor = '0'
        do {
          const [next, keys] = await node.scanBuffer(cursor, 'MATCH', 'kvgate-test:*', 'COUNT', 1000)
          cursor = next.toString()
          const ours = keys.filter((key) => handedOut.has(prefixOf(key)))
          left.push(...ours.map((key) => key.toString('latin1')))
          await Promise.all(ours.map((key) => node.unlink(key)))
        } while (cursor !== '0')
      }
    } catch {
      // A store that cannot be reached holds no key of this run that could be checked.
    } finally {
      client.disconnect()
    }
  }
  return left
}

/** Removes what test runs that never closed their kvgates left on the shared Redis over an hour ago. */
export async function dropStalePrefixes(url: string, maxAgeMs = 3_600_000): Promise<void> {
  const client = connect({ url }) as Redis
  client.on('error', () => {})
  try {
    await client.connect()
    let cursor = '0'
    do {
      const [next, keys] = await client.scanBuffer(cursor, 'MATCH', 'kvgate-test:*', 'COUNT', 1000)
      cursor = next.toString()
      const stale = keys.filter((key) => {
        const time = Number(key.subarray(12, 25).toString())
        return Number.isFinite(time) && time < Date.now() - maxAgeMs
      })
      await Promise.all(stale.map((key) => client.unlink(key)))
    } while (cursor !== '0')
  } catch {
    // Clean-up is a courtesy; a failure here must not fail a test run.
  } finally {
    client.disconnect()
  }
}

// --- A private Redis, to stop and start ---

export interface PrivateRedis {
  url: string
  port: number
  /** Starts (or restarts, on the same port) the server and waits until it answers. */
  start(): Promise<void>
  /** Kills the server at once, as a crash would. */
  stop(): Promise<void>
  /** Stops it for good and removes its data. */
  remove(): Promise<void>
}

/** A redis-server of this test alone, on a spare port; its data survives a kill, as a real one's would. */
export function privateRedis(extraArgs: string[] = []): PrivateRedis {
  const port = freePort()
  let dir: string | null = null
  let child: ReturnType<typeof Bun.spawn> | null = null
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      if (child) return
      dir ??= mkdtempSync(join(tmpdir(), 'kvgate-redis-'))
      child = Bun.spawn(
        [
          'redis-server',
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          dir,
          ...extraArgs,
        ],
        { stdout: 'ignore', stderr: 'ignore' },
      )
      const deadline = Date.now() + 10_000
      // Any answer will do (NOAUTH included): the server is up.
      while (!/PONG|NOAUTH/.test(run(['redis-cli', '-p', String(port), 'ping']).out)) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`)
        await Bun.sleep(50)
      }
    },
    async stop() {
      if (!child) return
      child.kill('SIGKILL')
      await child.exited
      child = null
    },
    async remove() {
      await this.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
      dir = null
    },
  }
}

export const redisServerInstalled = (): boolean => run(['redis-server', '--version']).ok

// --- A private Redis Cluster ---

let cluster: TestCluster | null = null
let clusterFailure: string | null = null

/**
 * host:port of a 3-master Redis Cluster: REDIS_CLUSTER_NODES when set, else one started here on
 * first use (synchronously, so suites can ask while they are being collected). Null when
 * redis-server cannot be run (the caller decides whether that skips or fails).
 */
export function clusterNodes(): string[] | null {
  const given = process.env.REDIS_CLUSTER_NODES
  if (given) return given.split(',').map((node) => node.trim())
  if (cluster) return cluster.nodes
  if (clusterFailure) return null
  try {
    cluster = startCluster()
    return cluster.nodes
  } catch (error) {
    clusterFailure = (error as Error).message
    return null
  }
}

export const clusterStartFailure = () => clusterFailure

function run(command: string[], timeoutMs = 10_000): { ok: boolean; out: string } {
  try {
    const result = Bun.spawnSync(command, { stdout: 'pipe', stderr: 'pipe', timeout: timeoutMs })
    return { ok: result.exitCode === 0, out: `${result.stdout.toString()}${result.stderr.toString()}` }
  } catch (error) {
    return { ok: false, out: (error as Error).message }
  }
}

function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): void {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return
    Bun.sleepSync(50)
  }
  throw new Error(`${what} within ${timeoutMs} ms`)
}

export interface TestCluster {
  nodes: string[]
  /** Kills every node at once, as a crash would. */
  kill(): void
  /** Starts the killed nodes again on their ports; they find each other from their nodes.conf. */
  restart(): void
  /** Kills the nodes and removes their files. */
  remove(): void
}

/** A 3-master Redis Cluster of this process alone, on spare ports, in a temporary folder. */
export function startCluster(): TestCluster {
  if (!run(['redis-server', '--version']).ok) throw new Error('redis-server is not installed')
  if (!run(['redis-cli', '--version']).ok) throw new Error('redis-cli is not installed')
  const dir = mkdtempSync(join(tmpdir(), 'kvgate-cluster-'))
  const ports = [0, 1, 2].map(() => [freePort(), freePort()] as const)
  const nodes = ports.map(([port]) => `127.0.0.1:${port}`)
  const pids: number[] = []

  const kill = () => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
  }
  const spawnNodes = () => {
    for (const [index, [port, busPort]] of ports.entries()) {
      const nodeDir = join(dir, String(index))
      mkdirSync(nodeDir, { recursive: true })
      const child = Bun.spawn(
        [
          'redis-server',
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(nodeDir, 'nodes.conf'),
          '--cluster-node-timeout',
          '2000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          nodeDir,
          '--daemonize',
          'no',
        ],
        { stdout: 'ignore', stderr: 'ignore' },
      )
      child.unref()
      pids.push(child.pid)
    }
    // `bun test` exits without running exit handlers, and a killed run runs none: a watchdog shell
    // stops these nodes once this process is gone, however it ended (and is itself stopped by kill()).
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill -9 ${pids.join(' ')} 2>/dev/null; rm -rf '${dir}'`
    const watchdog = Bun.spawn(['sh', '-c', script], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
    watchdog.unref()
    pids.push(watchdog.pid)
    for (const [port] of ports) {
      waitFor(`redis-server on port ${port} did not start`, () =>
        run(['redis-cli', '-p', String(port), 'ping']).out.includes('PONG'),
      )
    }
  }
  const waitForOk = () => {
    for (const [port] of ports) {
      waitFor(`the cluster did not reach cluster_state:ok on port ${port}`, () =>
        run(['redis-cli', '-p', String(port), 'cluster', 'info']).out.includes('cluster_state:ok'),
      )
    }
  }
  const remove = () => {
    kill()
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    spawnNodes()
    const create = run(
      ['redis-cli', '--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'],
      30_000,
    )
    if (!create.ok) throw new Error(`redis-cli --cluster create failed: ${create.out.slice(-500)}`)
    waitForOk()
  } catch (error) {
    remove()
    throw error
  }
  return {
    nodes,
    kill,
    restart() {
      spawnNodes()
      waitForOk()
    },
    remove,
  }
}

/** Resolves once a Redis backend's near cache serves (its invalidation connections are armed). */
export async function nearCacheLive(backend: { near: { serving: boolean } | null }, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!backend.near?.serving) {
    if (Date.now() > deadline) throw new Error(`the near cache did not start serving within ${timeoutMs} ms`)
    await Bun.sleep(5)
  }
}
