// Prometheus metrics: requests, their latency, engine errors, store operation latency and whether
// the store answers, event-loop lag, build info, and prom-client's default process metrics.
//
// What is counted on a hot path goes into plain maps and arrays (metrics-histogram.ts); prom-client
// and its registry are imported at the first scrape (metrics-registry.ts), so serving starts
// without them and a process that is never scraped never loads them.

import type { StoreTimings } from './engine/timed-backend.ts'
import { watchEventLoopLag } from './event-loop-lag.ts'
import { type HistogramSeries, PendingCounts, PlainHistogram } from './metrics-histogram.ts'
import { RequestRates } from './request-rates.ts'

export interface BuildInfo {
  version: string
  /** e.g. "bun/1.4.5" or "deno/2.9.6". */
  runtime: string
  /** The store: sqlite, redis or redis-cluster. */
  backend: string
}

export interface MetricsOptions {
  build?: BuildInfo
  /** Whether the store answers now; asked at each scrape (a ping). */
  storeUp?: () => Promise<boolean>
}

export interface RequestLabels extends Record<string, string> {
  dialect: string
  route: string
  method: string
  status: string
}

/** The Prometheus text format's content type, as prom-client's registry gives it. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Upper bounds, in seconds, of request and store-operation latency buckets. */
const LATENCY_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
const STORE_BOUNDS = [0.0001, 0.00025, ...LATENCY_BOUNDS]
const LAG_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class Metrics {
  readonly requests = new PendingCounts<RequestLabels>()
  readonly engineErrors = new PendingCounts<{ code: string }>()
  readonly requestDuration = new PlainHistogram(
    'kvgate_http_request_duration_seconds',
    'Time from request to response, by dialect.',
    LATENCY_BOUNDS,
  )
  readonly storeDuration = new PlainHistogram(
    'kvgate_store_operation_duration_seconds',
    'Time a store (backend) operation took, failed ones included, by operation and backend.',
    STORE_BOUNDS,
  )
  readonly eventLoopLag = new PlainHistogram(
    'kvgate_event_loop_lag_seconds',
    'How late a timer due every 100 ms fired: time the event loop was busy with something else.',
    LAG_BOUNDS,
  )
  /** Given to the Engine: it keeps one series per operation and observes into it. */
  readonly storeTimings: StoreTimings = {
    series: (operation, backend) => this.storeDuration.seriesOf({ operation, backend }),
  }
  readonly contentType = METRICS_CONTENT_TYPE
  private readonly durationByDialect = new Map<string, HistogramSeries>()
  /** Recent requests per second by dialect, for the admin API's stats, from the histograms' counts. */
  readonly rates = new RequestRates(
    () => new Map([...this.durationByDialect].map(([dialect, series]) => [dialect, series.count])),
  )
  private readonly stopLag: () => void
  private registry: Promise<{ metrics(): Promise<string> }> | undefined

  constructor(readonly options: MetricsOptions = {}) {
    this.stopLag = watchEventLoopLag(this.eventLoopLag.seriesOf({}))
  }

  request(dialect: string, route: string, method: string, status: number, seconds: number): void {
    this.requests.add(`${dialect}\u0000${route}\u0000${method}\u0000${status}`, () => ({
      dialect,
      route,
      method,
      status: String(status),
    }))
    let duration = this.durationByDialect.get(dialect)
    if (!duration) {
      duration = this.requestDuration.seriesOf({ dialect })
      this.durationByDialect.set(dialect, duration)
    }
    duration.observe(seconds)
  }

  engineError(code: string): void {
    this.engineErrors.add(code, () => ({ code }))
  }

  /** Every family in the Prometheus text format; the first call loads prom-client. */
  async text(): Promise<string> {
    this.registry ??= import('./metrics-registry.ts').then(({ createRegistry }) => createRegistry(this))
    return (await this.registry).metrics()
  }

  close(): void {
    this.stopLag()
    this.rates.close()
  }
}
