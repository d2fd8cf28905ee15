// Redis's server-assisted client-side caching, as the near cache (near-cache.ts) uses it: on every
// Redis that holds data (the server, the Sentinel master, or each cluster master) one connection of
// our own runs `CLIENT TRACKING ON REDIRECT <its own id> BCAST PREFIX <kvgate prefix>` and then
// subscribes to `__redis__:invalidate`. In broadcast mode Redis tells it of every key under the
// prefix that changes (written, deleted, expired, flushed), whichever connection read it, so reads
// may go on any connection; RESP2 is enough. Invalidations are live only while every one of these
// connections is armed; a connection that drops, or stops answering its pings, turns them off until
// it is armed again.

import type { Buffer } from 'node:buffer'
import { Cluster, type Redis } from 'ioredis'

const CHANNEL = '__redis__:invalidate'
/** A ping this often on each invalidation connection: one that stops answering is dropped. */
const PING_INTERVAL_MS = 1000

export interface TrackingEvents {
  /** Keys that changed; null means everything (a flush, or Redis dropping its tracking state). */
  invalidate(keys: Buffer[] | null): void
  /** Invalidations are flowing from every Redis that holds data (true), or not (false). */
  live(live: boolean): void
}

/** What an invalidation connection needs besides the data connection's options. */
export const INVALIDATION_OPTIONS = {
  // Invalidations as pub/sub messages: ioredis (6) hands RESP3's invalidate pushes to nobody.
  protocol: 2,
  // Armed again by hand on every connection: tracking must be on before the subscription.
  autoResubscribe: false,
  enableAutoPipelining: false,
  enableOfflineQueue: false,
  connectionName: 'kvgate-invalidations',
} as const

/** One invalidation connection to one Redis. */
class Tracker {
  armed = false
  private attempt = 0
  private readonly pinger: ReturnType<typeof setInterval>

  constructor(
    readonly client: Redis,
    private readonly prefix: string,
    private readonly events: TrackingEvents,
    private readonly changed: () => void,
  ) {
    this.client.on('error', () => {})
    this.client.on('ready', () => this.arm())
    this.client.on('close', () => this.disarm())
    this.client.on('messageBuffer', (channel: Buffer, keys: Buffer[] | Buffer | null) => {
      if (channel.toString() !== CHANNEL) return
      this.events.invalidate(Array.isArray(keys) ? keys : null)
    })
    this.pinger = setInterval(() => {
      // socketTimeout drops a connection whose ping goes unanswered: its 'close' disarms it.
      if (this.armed) this.client.ping().catch(() => {})
    }, PING_INTERVAL_MS)
    ;(this.pinger as { unref?: () => void }).unref?.()
  }

  close(): void {
    clearInterval(this.pinger)
    this.disarm()
    this.client.disconnect()
  }

  private async arm(): Promise<void> {
    const attempt = ++this.attempt
    try {
      const id = await this.client.client('ID')
      await this.client.call(
        'CLIENT',
        'TRACKING',
        'ON',
        'REDIRECT',
        String(id),
        'BCAST',
        'PREFIX',
        this.prefix,
      )
      await this.client.subscribe(CHANNEL)
      if (attempt !== this.attempt) return
      this.armed = true
      this.changed()
    } catch {
      // The connection failed meanwhile: its next 'ready' arms it again.
    }
  }

  private disarm(): void {
    this.attempt++
    if (!this.armed) return
    this.armed = false
    this.changed()
  }
}

/** The invalidation connections of one Redis, one Sentinel master, or every master of a cluster. */
export class Tracking {
  private readonly trackers = new Map<string, Tracker>()
  private live = false
  private closed = false

  /**
   * `open` makes an invalidation connection (see INVALIDATION_OPTIONS) to the data connection's
   * Redis, or to one cluster node.
   */
  constructor(
    data: Redis | Cluster,
    private readonly open: (node?: { host: string; port: number }) => Redis,
    private readonly prefix: string,
    private readonly events: TrackingEvents,
  ) {
    if (data instanceof Cluster) {
      const cluster = data
      // The masters change with failovers and resharding: follow them.
      const follow = () => this.followMasters(cluster)
      cluster.on('ready', follow)
      cluster.on('+node', follow)
      cluster.on('-node', follow)
      cluster.on('refresh', follow)
      follow()
    } else {
      // The same target as the data connection (a Sentinel master is asked of the sentinels).
      this.trackers.set('', new Tracker(open(), prefix, events, () => this.update()))
    }
  }

  close(): void {
    this.closed = true
    for (const tracker of this.trackers.values()) tracker.close()
    this.trackers.clear()
    this.update()
  }

  private followMasters(cluster: Cluster): void {
    if (this.closed) return
    const masters = new Set(
      cluster.nodes('master').map((node) => `${node.options.host}:${node.options.port}`),
    )
    for (const [address, tracker] of this.trackers) {
      if (masters.has(address)) continue
      tracker.close()
      this.trackers.delete(address)
    }
    for (const address of masters) {
      if (this.trackers.has(address)) continue
      const at = address.lastIndexOf(':')
      const node = { host: address.slice(0, at), port: Number(address.slice(at + 1)) }
      this.trackers.set(address, new Tracker(this.open(node), this.prefix, this.events, () => this.update()))
    }
    this.update()
  }

  private update(): void {
    let live = !this.closed && this.trackers.size > 0
    for (const tracker of this.trackers.values()) live &&= tracker.armed
    if (live === this.live) return
    this.live = live
    this.events.live(live)
  }
}
