// KVGATE_REDIS_MIN_REPLICAS: a write is acknowledged only once that many replicas have it. Redis
// replicates asynchronously, so a master that dies can take its latest writes with it; WAIT after
// each write closes that gap for the writes it confirms (core/engine/REDIS.md, "Failover").

import type { Redis } from 'ioredis'
import { UnavailableError } from '../errors.ts'
import type { ScriptName } from './scripts.ts'

/** The scripts whose writes a client is told about; the others read, or tidy up in the background. */
const WRITES: ReadonlySet<ScriptName> = new Set<ScriptName>([
  'put',
  'delete',
  'increment',
  'batch',
  'listWrite',
  'listAdd',
  'listRemove',
  'listDelete',
])

export class ReplicaWait {
  /**
   * `client` is the connection every covered write goes through: WAIT counts the writes of the
   * connection it is sent on, and holds that connection up meanwhile. `target` names the Redis.
   */
  constructor(
    readonly client: Redis,
    readonly replicas: number,
    private readonly timeoutMs: number,
    private readonly target: string,
  ) {}

  /** Whether a script's writes wait for the replicas. */
  covers(script: ScriptName): boolean {
    return WRITES.has(script)
  }

  /**
   * The write's reply, once the replicas have it. The wait takes at most half the time left before
   * the operation's deadline (`startedAt` + the store timeout): Redis may end a WAIT up to 100 ms
   * late, and the error that says what happened must come before the timeout's.
   */
  async confirm<T>(write: Promise<T>, startedAt: number): Promise<T> {
    const reply = await write
    const waitMs = Math.max(1, Math.floor((this.timeoutMs - (Date.now() - startedAt)) / 2))
    const reached = await this.client.wait(this.replicas, waitMs)
    if (reached < this.replicas) {
      throw new UnavailableError(
        'replicas',
        `${this.target}: ${reached} of the ${this.replicas} replicas KVGATE_REDIS_MIN_REPLICAS asks for confirmed a write within ${waitMs} ms; the write is applied on the master but may be lost if it fails`,
      )
    }
    return reply
  }
}
