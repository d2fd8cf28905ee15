import { afterAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Backend } from '../../core/engine/backend.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { UnavailableError } from '../../core/engine/errors.ts'
import { LoadingBackend } from '../../core/engine/loading-backend.ts'
import { openBackend } from '../../core/engine/store.ts'
import { TimedBackend } from '../../core/engine/timed-backend.ts'
import { METRICS_CONTENT_TYPE, Metrics } from '../../core/metrics.ts'
import packageJson from '../../package.json' with { type: 'json' }
import { echoDialect } from '../support/echo-dialect.ts'
import { type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { ROOT } from '../support/process.ts'
import { familyNames, parseMetrics, type Sample, sampleValue } from '../support/prometheus.ts'
import { describeEachStore } from '../support/stores.ts'

const opened: Array<{ close(): unknown }> = []
const open = (env: Record<string, string> = {}) => {
  const kvgate = testKvgate([echoDialect], env)
  opened.push(kvgate)
  return kvgate
}
afterAll(async () => {
  for (const each of opened) await each.close()
})

const scrape = async (kvgate: TestKvgate): Promise<{ text: string; samples: Sample[] }> => {
  const response = await kvgate.fetch('/metrics')
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE)
  const text = await response.text()
  return { text, samples: parseMetrics(text) }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const block = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

describe('process, runtime and build', () => {
  test("prom-client's default process and heap metrics are there", async () => {
    const { text, samples } = await scrape(open())
    const families = familyNames(text)
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(families).toContain(name)
    }
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024)
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0)
  })

  test('the event-loop figures that restart at every scrape are left out for the lag histogram', async () => {
    const families = familyNames((await scrape(open())).text)
    expect(families).toContain('kvgate_event_loop_lag_seconds')
    expect(families.filter((name) => /^nodejs_eventloop_lag_(min|max|mean|stddev|p\d+)_/.test(name))).toEqual(
      [],
    )
  })

  test('kvgate_event_loop_lag_seconds sees a loop that was blocked', async () => {
    const metrics = new Metrics()
    opened.push(metrics)
    await sleep(250)
    block(400)
    await sleep(250)
    const samples = parseMetrics(await metrics.text())
    const count = sampleValue(samples, 'kvgate_event_loop_lag_seconds_count')!
    const upToQuarter = sampleValue(samples, 'kvgate_event_loop_lag_seconds_bucket', { le: '0.25' })!
    // One timer was due while the loop was blocked: it fired about 300 ms late.
    expect(count).toBeGreaterThanOrEqual(3)
    expect(count - upToQuarter).toBeGreaterThanOrEqual(1)
    expect(sampleValue(samples, 'kvgate_event_loop_lag_seconds_sum')).toBeGreaterThan(0.25)
  })

  test('kvgate_build_info names the version, the runtime and the store', async () => {
    const { samples } = await scrape(open())
    const info = samples.filter((sample) => sample.name === 'kvgate_build_info')
    expect(info).toEqual([
      {
        name: 'kvgate_build_info',
        labels: { version: packageJson.version, runtime: `bun/${Bun.version}`, backend: 'sqlite' },
        value: 1,
      },
    ])
  })
})

describeEachStore('store metrics', (store) => {
  test('store operation latency is a histogram by operation and backend', async () => {
    const kvgate = open(store.env)
    const { credentials } = await kvgate.createAccount('echo')
    const auth = { authorization: `Bearer ${credentials.api_key}` }
    expect((await kvgate.fetch('/echo/items/a', { method: 'PUT', headers: auth, body: 'v' })).status).toBe(
      200,
    )
    const before = (await scrape(kvgate)).samples
    for (let i = 0; i < 3; i++)
      expect((await kvgate.fetch('/echo/items/a', { headers: auth })).status).toBe(200)
    const after = (await scrape(kvgate)).samples

    const labels = { operation: 'get', backend: store.name }
    const count = (samples: Sample[]) =>
      sampleValue(samples, 'kvgate_store_operation_duration_seconds_count', labels) ?? 0
    expect(count(after) - count(before)).toBeGreaterThanOrEqual(3)
    expect(sampleValue(after, 'kvgate_store_operation_duration_seconds_sum', labels)).toBeGreaterThan(0)
    expect(
      sampleValue(after, 'kvgate_store_operation_duration_seconds_bucket', { ...labels, le: '+Inf' }),
    ).toBe(count(after))
    const buckets = after
      .filter(
        (sample) =>
          sample.name === 'kvgate_store_operation_duration_seconds_bucket' &&
          sample.labels.operation === 'get',
      )
      .map((sample) => sample.value)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    expect(
      sampleValue(after, 'kvgate_store_operation_duration_seconds_count', {
        operation: 'put',
        backend: store.name,
      }),
    ).toBeGreaterThanOrEqual(1)
  })

  test('kvgate_store_up is 1 while the store answers', async () => {
    const { samples } = await scrape(open(store.env))
    expect(sampleValue(samples, 'kvgate_store_up')).toBe(1)
    expect(sampleValue(samples, 'kvgate_build_info')).toBe(1)
    expect(samples.find((sample) => sample.name === 'kvgate_build_info')?.labels.backend).toBe(store.name)
  })
})

describe('a store that does not answer', () => {
  test('kvgate_store_up is 0, and its failed calls are timed too', async () => {
    const kvgate = open({ REDIS_URL: 'redis://127.0.0.1:1', KVGATE_STORE_TIMEOUT_MS: '200' })
    expect((await kvgate.fetch('/healthz')).status).toBe(503)
    const { samples } = await scrape(kvgate)
    expect(sampleValue(samples, 'kvgate_store_up')).toBe(0)
    expect(
      sampleValue(samples, 'kvgate_store_operation_duration_seconds_count', {
        operation: 'ping',
        backend: 'redis',
      }),
    ).toBeGreaterThanOrEqual(1)
  })

  test('kvgate_store_up is 0 once the engine is closed', async () => {
    const kvgate = open()
    await kvgate.engine.close()
    expect(sampleValue((await scrape(kvgate)).samples, 'kvgate_store_up')).toBe(0)
  })
})

describe('TimedBackend', () => {
  const recorder = () => {
    const observed: Array<{ operation: string; backend: string; seconds: number }> = []
    const timings = {
      series: (operation: string, backend: string) => ({
        observe: (seconds: number) => observed.push({ operation, backend, seconds }),
      }),
    }
    return { observed, timings }
  }

  test('hands back the backend’s own promise, and times it until it settles', async () => {
    const { observed, timings } = recorder()
    const slow = Bun.sleep(60).then(() => null)
    const backend = { name: 'fake', get: () => slow } as unknown as Backend
    const timed = new TimedBackend(backend, timings)
    expect(timed.get('ns', utf8('k'), 0)).toBe(slow)
    expect(observed).toEqual([])
    await slow
    await Promise.resolve()
    expect(observed).toHaveLength(1)
    expect(observed[0]).toMatchObject({ operation: 'get', backend: 'fake' })
    expect(observed[0]!.seconds).toBeGreaterThanOrEqual(0.05)
  })

  test('a failed call is timed and still fails for its caller', async () => {
    const { observed, timings } = recorder()
    const failure = new UnavailableError('timeout', 'the store took too long')
    const backend = { name: 'fake', put: () => Promise.reject(failure) } as unknown as Backend
    const timed = new TimedBackend(backend, timings)
    await expect(
      timed.put(
        'ns',
        utf8('k'),
        { bytes: utf8('v'), kind: 'bytes', contentType: null, metadata: null, expiresAt: null },
        {},
        0,
      ),
    ).rejects.toBe(failure)
    expect(observed.map(({ operation }) => operation)).toEqual(['put'])
  })

  test('the engine times the real backend once a loading one is replaced, under the real name', async () => {
    const { observed, timings } = recorder()
    let open!: (backend: Backend) => void
    const engine = new Engine(new LoadingBackend('sqlite', new Promise((resolve) => (open = resolve))), {
      sweepIntervalMs: 0,
      timings,
    })
    const written = engine.put('ns', utf8('k'), { bytes: utf8('v') })
    open(openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' }))
    await written
    expect(engine.backend).toBeInstanceOf(TimedBackend)
    expect((engine.backend as TimedBackend).backend).not.toBeInstanceOf(LoadingBackend)
    await engine.get('ns', utf8('k'))
    await Bun.sleep(0)
    expect(observed.map(({ operation, backend }) => `${operation}@${backend}`)).toEqual([
      'put@sqlite',
      'get@sqlite',
    ])
    await engine.close()
  })

  test('without timings the engine calls its backend directly', async () => {
    const backend = openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' })
    const engine = new Engine(backend, { sweepIntervalMs: 0 })
    expect(engine.backend).toBe(backend)
    await engine.close()
  })
})

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(
    readme.indexOf('\n## Metrics'),
    readme.indexOf('\n## ', readme.indexOf('\n## Metrics') + 1),
  )

  test('its alert rules parse, and ask only for series that /metrics gives', async () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
    const { groups } = Bun.YAML.parse(yaml!) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string; for: string }> }>
    }
    const rules = groups.flatMap((group) => group.rules)
    expect(rules.map((rule) => rule.alert)).toEqual(['KvgateStoreDown', 'KvgateEventLoopLag'])
    const { samples } = await scrape(open())
    const exposed = new Set(samples.map((sample) => sample.name))
    for (const rule of rules) {
      const series = [...rule.expr.matchAll(/\b(kvgate_\w+|process_\w+|nodejs_\w+)/g)].map(
        (match) => match[1]!,
      )
      expect(series.length).toBeGreaterThan(0)
      for (const name of series) expect(exposed).toContain(name)
      expect(rule.for).toMatch(/^\d+m$/)
    }
  })

  test('its table names every kvgate family /metrics gives, and no other', async () => {
    const documented = [...section.matchAll(/^\| `(kvgate_\w+)` \|/gm)].map((match) => match[1]!)
    const families = familyNames((await scrape(open())).text).filter((name) => name.startsWith('kvgate_'))
    expect(documented.sort()).toEqual(families.sort())
  })
})
