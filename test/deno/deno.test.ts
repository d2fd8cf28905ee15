import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectBucketScriptsRun } from '../support/bucket-scripts.ts'
import { childEnv, freePort, ROOT, waitForHealthy } from '../support/process.ts'
import { parseMetrics, sampleValue } from '../support/prometheus.ts'

const DENO = join(ROOT, 'node_modules/.bin/deno')
const ADMIN_TOKEN = 'deno-test-admin-token'
const children: Array<{ kill(signal?: number | NodeJS.Signals): void }> = []
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
})

test('the same sources start under Deno 2, answer /healthz, create an account, serve a dialect, run a script, and stop on SIGTERM', async () => {
  const port = freePort()
  const child = Bun.spawn(
    [DENO, 'run', '-A', 'core/main.ts', '--port', String(port), '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      // Not the shell's REDIS_URL: this runs on a file of its own.
      env: childEnv({
        KVGATE_DATA: join(mkdtempSync(join(tmpdir(), 'kvgate-deno-')), 'kv.db'),
        KVGATE_ADMIN_TOKEN: ADMIN_TOKEN,
        KVGATE_LOG: 'info',
        KVGATE_LOG_FORMAT: 'json',
      }),
      stdout: 'pipe',
      stderr: 'pipe',
    },
  )
  children.push(child)
  const base = `http://127.0.0.1:${port}`
  await waitForHealthy(`${base}/healthz`, 60_000)
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` }
  expect(await (await fetch(`${base}/admin/accounts`, { headers })).json()).toEqual([])
  const refused = await fetch(`${base}/admin/accounts`, {
    method: 'POST',
    headers,
    body: '{"dialect":"none"}',
  })
  expect(refused.status).toBe(400)
  const created = await fetch(`${base}/admin/accounts`, {
    method: 'POST',
    headers,
    body: '{"dialect":"lightkv"}',
  })
  expect(created.status).toBe(201)
  const { credentials } = await created.json()
  const bearer = { authorization: `Bearer ${credentials.readwrite_token}` }
  const write = { method: 'POST', headers: bearer, body: '{"key":"runtime","value":"deno"}' }
  expect((await fetch(`${base}/lightkv/item/write`, write)).status).toBe(200)
  const read = await fetch(`${base}/lightkv/item/read?key=runtime`, { headers: bearer })
  expect(await read.json()).toEqual({ ok: true, data: { key: 'runtime', value: 'deno' } })
  await expectBucketScriptsRun(base)
  const samples = parseMetrics(await (await fetch(`${base}/metrics`)).text())
  const info = samples.find((sample) => sample.name === 'kvgate_build_info')
  expect(info?.labels.runtime).toStartWith('deno/')
  expect(sampleValue(samples, 'kvgate_store_up')).toBe(1)
  expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0)
  expect(
    sampleValue(samples, 'kvgate_store_operation_duration_seconds_count', {
      operation: 'get',
      backend: 'sqlite',
    }),
  ).toBeGreaterThan(0)
  child.kill('SIGTERM')
  expect(await child.exited).toBe(0)
  expect(await new Response(child.stdout).text()).toContain('"runtime":"deno"')
}, 90_000)

test('under Deno too, kvgate_event_loop_lag_seconds sees a loop that was blocked', () => {
  const probe = Bun.spawnSync([DENO, 'run', '-A', 'test/deno/event-loop-lag-probe.ts'], {
    cwd: ROOT,
    env: childEnv({}),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  expect(probe.stderr.toString()).toBe('')
  const samples = parseMetrics(probe.stdout.toString())
  const count = sampleValue(samples, 'kvgate_event_loop_lag_seconds_count')!
  const upToQuarter = sampleValue(samples, 'kvgate_event_loop_lag_seconds_bucket', { le: '0.25' })!
  expect(count).toBeGreaterThanOrEqual(3)
  expect(count - upToQuarter).toBeGreaterThanOrEqual(1)
}, 60_000)
