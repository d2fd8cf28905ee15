// The prom-client registry behind /metrics, built at the first scrape from what Metrics counted.

import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client'
import type { Metrics } from './metrics.ts'
import { subscribedWatchers } from './watch/watcher.ts'

/**
 * prom-client's figures from perf_hooks.monitorEventLoopDelay: Deno reports a fraction of the real
 * lag there, and under Bun they are empty until the loop has been sampled (a minimum of 9.2e9 s at
 * a first scrape), then restart at every scrape. kvgate_event_loop_lag_seconds replaces them;
 * nodejs_eventloop_lag_seconds, measured at each scrape, stays.
 */
const SAMPLED_LAG_FAMILIES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map(
  (figure) => `nodejs_eventloop_lag_${figure}_seconds`,
)

export function createRegistry(metrics: Metrics): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  for (const name of SAMPLED_LAG_FAMILIES) registry.removeSingleMetric(name)
  const registers = [registry]

  new Counter({
    name: 'kvgate_http_requests_total',
    help: 'HTTP requests answered, by dialect, route and status.',
    labelNames: ['dialect', 'route', 'method', 'status'] as const,
    registers,
    collect() {
      metrics.requests.take((labels, count) => this.inc(labels, count))
    },
  })
  new Counter({
    name: 'kvgate_engine_errors_total',
    help: 'Errors raised while handling requests, by engine error code (or "internal").',
    labelNames: ['code'] as const,
    registers,
    collect() {
      metrics.engineErrors.take((labels, count) => this.inc(labels, count))
    },
  })
  for (const histogram of [metrics.requestDuration, metrics.storeDuration, metrics.eventLoopLag]) {
    registry.registerMetric(histogram as unknown as Metric)
  }

  new Gauge({
    name: 'kvgate_watchers',
    help: 'Watch feeds (event streams and long polls) open on this process.',
    registers,
    collect() {
      this.set(subscribedWatchers())
    },
  })

  const { storeUp, build } = metrics.options
  if (storeUp) {
    new Gauge({
      name: 'kvgate_store_up',
      help: 'Whether the store answered a ping at this scrape (1) or not (0).',
      registers,
      async collect() {
        this.set((await storeUp()) ? 1 : 0)
      },
    })
  }
  if (build) {
    new Gauge({
      name: 'kvgate_build_info',
      help: 'Always 1; its labels say which kvgate runs, on which runtime, with which store.',
      labelNames: ['version', 'runtime', 'backend'] as const,
      registers,
    }).set({ ...build }, 1)
  }
  return registry
}
