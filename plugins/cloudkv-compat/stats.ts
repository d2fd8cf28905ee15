// key_get_success / key_get_failed of every bucket. Counting each GET with its own write would
// double the cost of a read, so counts gather in memory and are added to the store in batches,
// every second and before List Buckets reads them.

import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import type { Engine } from '../../core/engine/engine.ts'
import type { Logger } from '../../core/log.ts'

const STATS_NAMESPACE = '_cloudkv_stats'
const FLUSH_MS = 1000
const statKey = (bucket: string, which: 'success' | 'failed') => utf8(`${bucket}\u0000${which}`)

export interface GetStats {
  success: number
  failed: number
}

export class GetCounters {
  private pending = new Map<string, GetStats>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private flushing: Promise<void> = Promise.resolve()

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
  ) {}

  count(bucket: string, found: boolean): void {
    const stats = this.pending.get(bucket) ?? { success: 0, failed: 0 }
    if (found) stats.success++
    else stats.failed++
    this.pending.set(bucket, stats)
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.flush().catch((error) => this.log.warn('get counters not saved', { error }))
      }, FLUSH_MS)
      ;(this.timer as { unref?: () => void }).unref?.()
    }
  }

  /** Adds what was counted so far to the store. */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    this.pending = new Map()
    // A failed flush must not stop the next one.
    this.flushing = this.flushing
      .catch(() => {})
      .then(async () => {
        for (const [bucket, stats] of batch) {
          if (stats.success > 0)
            await this.engine.increment(STATS_NAMESPACE, statKey(bucket, 'success'), BigInt(stats.success))
          if (stats.failed > 0)
            await this.engine.increment(STATS_NAMESPACE, statKey(bucket, 'failed'), BigInt(stats.failed))
        }
      })
    return this.flushing
  }

  async read(bucket: string): Promise<GetStats> {
    const [success, failed] = await this.engine.getMany(STATS_NAMESPACE, [
      statKey(bucket, 'success'),
      statKey(bucket, 'failed'),
    ])
    const number = (entry: typeof success) => (entry ? Number(fromUtf8(entry.value)) : 0)
    return { success: number(success), failed: number(failed) }
  }

  async forget(bucket: string): Promise<void> {
    this.pending.delete(bucket)
    await this.engine.batch(STATS_NAMESPACE, [
      { type: 'delete', key: statKey(bucket, 'success') },
      { type: 'delete', key: statKey(bucket, 'failed') },
    ])
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
