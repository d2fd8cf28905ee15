// The change feed's settings: the change log's retention (what a watcher can catch up on) and the
// watch streams' own limits. Kept apart from config.ts so the feed's knobs and their defaults sit
// together, as the store's do in store-settings.ts.

import type * as v from 'valibot'
import type { ChangeLogOptions } from './engine/changes.ts'
import { booleanOption, integerOption } from './options.ts'

export interface WatchConfig {
  /** Values larger than this are left out of ?values=1 events. */
  maxValueBytes: number
  /** How often an idle event stream gets a comment line, so proxies keep it open. */
  heartbeatMs: number
  /** The longest ?wait= of the long-poll form, in seconds. */
  maxWaitSeconds: number
}

/** Environment variable of each change feed setting. */
export const FEED_ENV: Record<keyof typeof FeedSettings, string> = {
  changeLog: 'KVGATE_CHANGE_LOG',
  changeLogMaxEntries: 'KVGATE_CHANGE_LOG_MAX_ENTRIES',
  changeLogMaxAge: 'KVGATE_CHANGE_LOG_MAX_AGE',
  watchMaxValueBytes: 'KVGATE_WATCH_MAX_VALUE_BYTES',
  watchHeartbeatMs: 'KVGATE_WATCH_HEARTBEAT_MS',
}

export const FeedSettings = {
  changeLog: booleanOption(true),
  changeLogMaxEntries: integerOption(10_000, { min: 1, max: 100_000_000 }),
  /** Seconds. */
  changeLogMaxAge: integerOption(86_400, { min: 1 }),
  watchMaxValueBytes: integerOption(64 * 1024, { min: 0 }),
  watchHeartbeatMs: integerOption(15_000, { min: 100 }),
}

type Parsed = v.InferOutput<v.ObjectSchema<typeof FeedSettings, undefined>>

/** The change log's retention; null when switched off (KVGATE_CHANGE_LOG=false). */
export function changeLogOf(settings: Parsed): ChangeLogOptions | null {
  return settings.changeLog
    ? { maxEntries: settings.changeLogMaxEntries, maxAgeMs: settings.changeLogMaxAge * 1000 }
    : null
}

export function watchOf(settings: Parsed): WatchConfig {
  return {
    maxValueBytes: settings.watchMaxValueBytes,
    heartbeatMs: settings.watchHeartbeatMs,
    maxWaitSeconds: 300,
  }
}
