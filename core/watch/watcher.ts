// One watcher of a namespace: it listens for new changes first, then reads what it missed from the
// change log, and from then on takes each notified batch as it comes when it follows on from what
// it has delivered; a gap (a batch it was not told of, or a reader that restarted) is read from the
// log. Deliveries are strictly in revision order and never twice. stop() leaves nothing behind.

import { startsWith } from '../engine/bytes.ts'
import type { Change } from '../engine/changes.ts'
import type { Engine } from '../engine/engine.ts'

const PAGE = 1000

export interface WatcherSink {
  /** Each change under the prefix, in order; `revision` is the last one covered so far. */
  change(change: Change): Promise<void> | void
  /** The log no longer holds what came after `after`: the client must re-read, then go on from head. */
  reset(head: number): void
  /** A store failure while catching up: the watch ends. */
  failed(error: unknown): void
}

/** Watchers subscribed right now in this process (the leak test and the metrics read it). */
let subscribed = 0
export const subscribedWatchers = () => subscribed

export class Watcher {
  /** The revision delivered up to (changes outside the prefix count as delivered). */
  revision = 0
  private queue: Change[] = []
  private pumping = false
  private mustRead = false
  /** Until the starting revision is known, notified changes only wait in the queue. */
  private ready = false
  private stopped = false
  private unsubscribe: (() => void) | null = null

  constructor(
    private readonly engine: Engine,
    private readonly ns: string,
    private readonly prefix: Uint8Array | undefined,
    private readonly sink: WatcherSink,
  ) {}

  /** Starts after `after` (null: from the current head). Resolves once caught up. */
  async start(after: number | null): Promise<void> {
    if (this.stopped) return
    const unsubscribe = this.engine.subscribe(this.ns, (changes) => {
      for (const change of changes) this.queue.push(change)
      if (this.ready) this.pump()
    })
    subscribed++
    this.unsubscribe = () => {
      subscribed--
      unsubscribe()
    }
    try {
      if (after === null) {
        this.revision = (await this.engine.changes(this.ns, 0, 1)).head
      } else {
        this.revision = after
        this.mustRead = true
      }
    } catch (error) {
      this.fail(error)
      return
    }
    this.ready = true
    await this.pump()
  }

  stop(): void {
    this.stopped = true
    this.queue = []
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return
    this.pumping = true
    try {
      while (!this.stopped) {
        if (this.mustRead) {
          await this.read()
          continue
        }
        if (this.queue.length === 0) break
        const batch = this.queue
        this.queue = []
        for (const change of batch) {
          if (change.revision <= this.revision) continue
          if (change.revision !== this.revision + 1) {
            // Not told of what came in between: the log has it.
            this.mustRead = true
            break
          }
          await this.deliver(change)
          if (this.stopped) return
        }
      }
    } catch (error) {
      this.fail(error)
    } finally {
      this.pumping = false
    }
  }

  /** Reads the log from the delivered revision until caught up; queued changes then only fill in. */
  private async read(): Promise<void> {
    const page = await this.engine.changes(this.ns, this.revision, PAGE)
    if (this.stopped) return
    if (page.reset) {
      this.revision = page.head
      this.sink.reset(page.head)
      this.mustRead = false
      return
    }
    for (const change of page.changes) {
      await this.deliver(change)
      if (this.stopped) return
    }
    this.mustRead = page.changes.length === PAGE
  }

  private async deliver(change: Change): Promise<void> {
    this.revision = change.revision
    if (this.prefix && !startsWith(change.key, this.prefix)) return
    await this.sink.change(change)
  }

  private fail(error: unknown): void {
    if (this.stopped) return
    this.stop()
    this.sink.failed(error)
  }
}
