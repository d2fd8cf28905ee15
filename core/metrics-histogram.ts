// Histograms and counters for hot paths: counted in plain arrays and maps, handed to prom-client's
// registry in its own format only when scraped (prom-client hashes its labels on every observation,
// a noticeable share of a request, and it is not even loaded until the first scrape).

/** One label set's buckets. Whoever observes on a hot path keeps it rather than looking it up. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[]
  sum = 0
  count = 0

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array(bounds.length + 1).fill(0)
  }

  observe(seconds: number): void {
    const bounds = this.bounds
    let bucket = 0
    while (bucket < bounds.length && seconds > bounds[bucket]!) bucket++
    this.counts[bucket]!++
    this.sum += seconds
    this.count++
  }
}

interface MetricValue {
  labels: Record<string, string | number>
  sharedLabels: Record<string, string>
  value: number
  metricName: string
}

/** A histogram by any labels, registered with prom-client as a metric object of its own. */
export class PlainHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly series = new Map<string, HistogramSeries>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}

  /** The series of these labels, created on first use. */
  seriesOf(labels: Record<string, string>): HistogramSeries {
    const id = Object.values(labels).join('\u0000')
    let found = this.series.get(id)
    if (!found) {
      found = new HistogramSeries(labels, this.bounds)
      this.series.set(id, found)
    }
    return found
  }

  get() {
    const values: MetricValue[] = []
    const bucket = `${this.name}_bucket`
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0
      // prom-client prints `labels` before `sharedLabels`: le comes first, as in its own histograms.
      const sharedLabels = labels
      this.bounds.forEach((le, i) => {
        cumulative += counts[i]!
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket })
      })
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: count, metricName: bucket },
        { labels: {}, sharedLabels, value: sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: count, metricName: `${this.name}_count` },
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.series.clear()
  }
}

/**
 * Counts by label set since they were last taken: cheap to add to on every request, and moved into
 * a prom-client Counter when it is collected.
 */
export class PendingCounts<Labels extends Record<string, string>> {
  private readonly pending = new Map<string, { labels: Labels; count: number }>()

  /** `id` identifies the label set (its values joined); `labels` builds it only when it is new. */
  add(id: string, labels: () => Labels, count = 1): void {
    const found = this.pending.get(id)
    if (found) found.count += count
    else this.pending.set(id, { labels: labels(), count })
  }

  /** Hands every count over and starts again from zero. */
  take(each: (labels: Labels, count: number) => void): void {
    for (const { labels, count } of this.pending.values()) each(labels, count)
    this.pending.clear()
  }
}
