// The Redis change log as the backend holds it: the retention every write script is given (it
// trims the stream as it appends), and the feed that reads and watches it (change-feed.ts). When
// the log is switched off the spec is empty, so the scripts log nothing, and reading it is refused.

import {
  type ChangeListener,
  type ChangeLogOptions,
  type ChangePage,
  DEFAULT_CHANGE_LOG,
} from '../changes.ts'
import { UnavailableError } from '../errors.ts'
import { RedisChangeFeed } from './change-feed.ts'
import type { RedisConnection } from './connection.ts'

export class RedisChangeLog {
  /** The scripts' change log argument: '' when off, else '<max entries>,<max age ms>'. */
  readonly spec: string
  private readonly feed: RedisChangeFeed | null

  /** `options` null switches the log off; absent, the default retention. */
  constructor(redis: RedisConnection, options: ChangeLogOptions | null | undefined) {
    const log = options === null ? null : (options ?? DEFAULT_CHANGE_LOG)
    this.spec = log ? `${log.maxEntries},${log.maxAgeMs}` : ''
    this.feed = log ? new RedisChangeFeed(redis) : null
  }

  get on(): boolean {
    return this.feed !== null
  }

  async read(ns: string, after: number, limit: number): Promise<ChangePage> {
    if (!this.feed) throw new UnavailableError('change-log-off', 'the change log is switched off')
    return this.feed.read(ns, after, limit)
  }

  subscribe(ns: string, listener: ChangeListener): () => void {
    return this.feed ? this.feed.subscribe(ns, listener) : () => {}
  }

  close(): void {
    this.feed?.close()
  }
}
