// The Redis change log's reader: pages of a namespace's stream for catching up, and one shared
// reader per process that waits for new records of every watched namespace at once (XREAD BLOCK
// on a connection of its own), so a watcher on this process hears writes made through any other.
// A namespace is in the reader's set while it has listeners here; the set changing wakes the
// reader (CLIENT UNBLOCK) so it waits on the new set at once. On a cluster, where one XREAD cannot
// span slots, the reader polls each watched stream instead.

import type { Buffer } from 'node:buffer'
import { Cluster, type Redis } from 'ioredis'
import { type Change, ChangeListeners, type ChangePage, type ChangeType, pageOf } from '../changes.ts'
import { bytes } from './codecs.ts'
import type { RedisConnection } from './connection.ts'

const TYPES: Record<string, ChangeType> = { p: 'put', d: 'delete', e: 'expire' }
const READ_COUNT = 1000
const POLL_MS = 50
const RETRY_MS = 200

type StreamRecord = [Buffer, Buffer[]]

export class RedisChangeFeed {
  private readonly listeners = new ChangeListeners()
  /** Each watched namespace's last id read ('0-<revision>'); absent until its head is known. */
  private readonly positions = new Map<string, string>()
  private reader: Redis | null = null
  private readerId: number | null = null
  private blocked = false
  private running = false
  private closed = false

  constructor(private readonly redis: RedisConnection) {}

  async read(ns: string, after: number, limit: number): Promise<ChangePage> {
    const keys = this.redis.keys(ns)
    const start = Math.max(0, Math.min(after, Number.MAX_SAFE_INTEGER))
    const [records, head] = await Promise.all([
      this.redis.guarded(
        this.redis.client.xrangeBuffer(keys.changes, `(0-${start}`, '+', 'COUNT', limit) as Promise<
          StreamRecord[]
        >,
      ),
      this.redis.guarded(this.redis.client.get(keys.changeHead)),
    ])
    return pageOf(records.map(changeOf), after, Number(head ?? 0), limit)
  }

  subscribe(ns: string, listener: (changes: Change[]) => void): () => void {
    return this.listeners.add(
      ns,
      listener,
      () => this.watch(ns),
      () => this.unwatch(ns),
    )
  }

  close(): void {
    this.closed = true
    this.wake()
    this.reader?.disconnect()
    this.reader = null
  }

  private watch(ns: string): void {
    // From the head as it is now: what came before, the watcher reads itself.
    this.redis.client.get(this.redis.keys(ns).changeHead).then(
      (head) => {
        if (!this.listeners.has(ns) || this.positions.has(ns)) return
        this.positions.set(ns, `0-${head ?? 0}`)
        this.wake()
        this.run()
      },
      () => {
        // Redis is away: the watcher's own reads fail and it is told; try again once it is back.
        if (this.listeners.has(ns) && !this.closed) setTimeout(() => this.watch(ns), RETRY_MS).unref?.()
      },
    )
  }

  private unwatch(ns: string): void {
    this.positions.delete(ns)
    this.wake()
  }

  /** Makes a blocked XREAD return at once, so the next one waits on the current set. */
  private wake(): void {
    if (!this.blocked || this.readerId === null) return
    this.redis.client.call('CLIENT', 'UNBLOCK', String(this.readerId)).catch(() => {})
  }

  private async run(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (!this.closed && this.positions.size > 0) {
        try {
          if (this.redis.client instanceof Cluster) await this.poll()
          else await this.block()
        } catch {
          if (!this.closed) await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
        }
      }
    } finally {
      this.running = false
    }
  }

  private async block(): Promise<void> {
    const reader = await this.openReader()
    const watched = [...this.positions]
    const streams = watched.map(([ns]) => this.redis.keys(ns).changes)
    // Shorter than the connection's socket timeout, which would otherwise drop the waiting reader.
    const blockMs = Math.max(100, Math.floor(this.redis.timeoutMs / 2))
    this.blocked = true
    let reply: Array<[Buffer, StreamRecord[]]> | null
    try {
      reply = (await reader.xreadBuffer(
        'COUNT',
        READ_COUNT,
        'BLOCK',
        blockMs,
        'STREAMS',
        ...streams,
        ...watched.map(([, id]) => id),
      )) as Array<[Buffer, StreamRecord[]]> | null
    } finally {
      this.blocked = false
    }
    for (const [stream, records] of reply ?? []) {
      const index = streams.findIndex((each) => each.equals(stream))
      if (index >= 0) this.deliver(watched[index]![0], records)
    }
  }

  private async poll(): Promise<void> {
    const watched = [...this.positions]
    await Promise.all(
      watched.map(async ([ns, id]) => {
        const reply = (await this.redis.client.xreadBuffer(
          'COUNT',
          READ_COUNT,
          'STREAMS',
          this.redis.keys(ns).changes,
          id,
        )) as Array<[Buffer, StreamRecord[]]> | null
        for (const [, records] of reply ?? []) this.deliver(ns, records)
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }

  private deliver(ns: string, records: StreamRecord[]): void {
    if (records.length === 0 || !this.positions.has(ns)) return
    this.positions.set(ns, records[records.length - 1]![0].toString())
    this.listeners.emit(ns, records.map(changeOf))
  }

  private async openReader(): Promise<Redis> {
    if (this.reader && this.readerId !== null) return this.reader
    if (!this.reader) {
      const reader = (this.redis.client as Redis).duplicate({ enableAutoPipelining: false })
      reader.on('error', () => {})
      // A new connection has a new id: learn it again after every reconnection.
      reader.on('ready', () => {
        this.readerId = null
      })
      this.reader = reader
    }
    this.readerId = Number(await this.reader.client('ID'))
    return this.reader
  }
}

function changeOf([id, fields]: StreamRecord): Change {
  const field = (name: string): Buffer | undefined => {
    for (let i = 0; i < fields.length; i += 2) if (fields[i]!.toString() === name) return fields[i + 1]
    return undefined
  }
  const number = (name: string): number | null => {
    const value = field(name)?.toString()
    return value ? Number(value) : null
  }
  return {
    revision: Number(id.toString().slice(2)),
    type: TYPES[field('t')?.toString() ?? ''] ?? 'put',
    key: bytes(field('k') ?? (new Uint8Array(0) as Buffer)),
    version: number('n'),
    expiresAt: number('x'),
    at: number('a') ?? 0,
  }
}
