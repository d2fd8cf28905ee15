// Prometheus metrics: requests by dialect, route and status, a latency histogram, engine errors.

import { Counter, Gauge, Histogram, Registry } from 'prom-client'

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
  private readonly duration = new Histogram({
    name: 'kvgate_http_request_duration_seconds',
    help: 'Time from request to response, by dialect.',
    labelNames: ['dialect'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })
  private readonly engineErrors = new Counter({
    name: 'kvgate_engine_errors_total',
    help: 'Errors raised while handling requests, by engine error code (or "internal").',
    labelNames: ['code'] as const,
    registers: [this.registry],
  })

  constructor() {
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
    this.duration.observe({ dialect }, seconds)
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
