// Prometheus metrics: requests by dialect, route and status, a latency histogram, engine errors.

import { Counter, Gauge, type Metric, Registry } from 'prom-client'

interface RequestLabels {
  dialect: string
  route: string
  method: string
  status: string
}

export class Metrics {
  readonly registry = new Registry()
  /**
   * Request counts since the last scrape, by their labels joined with NUL: counting into a Map is a
   * fraction of the cost of prom-client's per-call label hashing, and this runs on every request.
   */
  private readonly pending = new Map<string, { labels: RequestLabels; count: number }>()
  private readonly requests: Counter<keyof RequestLabels> = new Counter({
    name: 'kvgate_http_requests_total',
    help: 'HTTP requests answered, by dialect, route and status.',
    labelNames: ['dialect', 'route', 'method', 'status'] as const,
    registers: [this.registry],
    collect: () => this.flushRequests(),
  })
  private readonly duration = new DialectHistogram(
    'kvgate_http_request_duration_seconds',
    'Time from request to response, by dialect.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  )
  private readonly engineErrors = new Counter({
    name: 'kvgate_engine_errors_total',
    help: 'Errors raised while handling requests, by engine error code (or "internal").',
    labelNames: ['code'] as const,
    registers: [this.registry],
  })

  constructor() {
    this.registry.registerMetric(this.duration as unknown as Metric)
    new Gauge({
      name: 'kvgate_process_resident_memory_bytes',
      help: 'Resident memory of the kvgate process.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().rss)
      },
    })
  }

  request(dialect: string, route: string, method: string, status: number, seconds: number): void {
    const key = `${dialect}\u0000${route}\u0000${method}\u0000${status}`
    const found = this.pending.get(key)
    if (found) found.count++
    else this.pending.set(key, { labels: { dialect, route, method, status: String(status) }, count: 1 })
    this.duration.observe(dialect, seconds)
  }

  private flushRequests(): void {
    for (const { labels, count } of this.pending.values()) this.requests.inc(labels, count)
    this.pending.clear()
  }

  engineError(code: string): void {
    this.engineErrors.inc({ code })
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

/**
 * A latency histogram by dialect, counted in plain arrays on each request and handed to the registry
 * in prom-client's own histogram format when scraped (prom-client's Histogram hashes its labels on
 * every observation, a noticeable share of a request).
 */
class DialectHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly byDialect = new Map<string, { buckets: number[]; sum: number; count: number }>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: number[],
  ) {}

  observe(dialect: string, seconds: number): void {
    let data = this.byDialect.get(dialect)
    if (!data) {
      data = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }
      this.byDialect.set(dialect, data)
    }
    const bucket = this.bounds.findIndex((bound) => seconds <= bound)
    if (bucket !== -1) data.buckets[bucket]!++
    data.sum += seconds
    data.count++
  }

  get() {
    const values: Array<{ labels: object; sharedLabels: object; value: number; metricName: string }> = []
    for (const [dialect, data] of this.byDialect) {
      const sharedLabels = { dialect }
      const bucket = `${this.name}_bucket`
      let cumulative = 0
      this.bounds.forEach((le, i) => {
        cumulative += data.buckets[i]!
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket })
      })
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: data.count, metricName: bucket },
        { labels: {}, sharedLabels, value: data.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: data.count, metricName: `${this.name}_count` },
      )
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.byDialect.clear()
  }
}
