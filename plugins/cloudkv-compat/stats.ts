// key_get_success / key_get_failed of every bucket. Counting each GET with its own write would
// double the cost of a read, so counts gather in memory and are added to the bucket's settings in
// batches, every second and before List Buckets reads them. Kept in the bucket's own record, they
// go when the bucket goes, however it is deleted.

import type { Engine } from '../../core/engine/engine.ts'
import { NotFoundError } from '../../core/engine/errors.ts'
import type { Logger } from '../../core/log.ts'
import type { BucketSettings } from './bucket.ts'

const FLUSH_MS = 1000

interface Pending {
  success: number
  failed: number
}

export class GetCounters {
  private pending = new Map<string, Pending>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {}

  count(bucket: string, found: boolean): void {
    const counts = this.pending.get(bucket) ?? { success: 0, failed: 0 }
    if (found) counts.success++
    else counts.failed++
    this.pending.set(bucket, counts)
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.flush().catch((error) => this.log.warn('get counters not saved', { error }))
      }, FLUSH_MS)
      ;(this.timer as { unref?: () => void }).unref?.()
    }
  }

  /** Adds what was counted so far to the buckets' records. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    this.pending = new Map()
    // A failed flush must not stop the next one.
    this.flushing = this.flushing
      .catch(() => {})
      .then(async () => {
        for (const [bucket, counts] of batch) {
          try {
            await this.engine.namespaces.update<BucketSettings>(bucket, ({ settings }) => ({
              settings: {
                ...settings,
                getSuccess: (settings.getSuccess ?? 0) + counts.success,
                getFailed: (settings.getFailed ?? 0) + counts.failed,
              },
            }))
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error // deleted meanwhile: nothing to count
          }
        }
      })
    return this.flushing
  }
}

/** One set of counters per engine, shared by every mount of the dialect. */
const byEngine = new WeakMap<Engine, GetCounters>()

export function getCounters(engine: Engine, log: Logger): GetCounters {
  let counters = byEngine.get(engine)
  if (!counters) {
    counters = new GetCounters(engine, log)
    byEngine.set(engine, counters)
  }
  return counters
}
