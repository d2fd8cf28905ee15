import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expectBucketScriptsRun } from '../support/bucket-scripts.ts'
import { childEnv, freePort, ROOT, waitForHealthy } from '../support/process.ts'

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
  child.kill('SIGTERM')
  expect(await child.exited).toBe(0)
  expect(await new Response(child.stdout).text()).toContain('"runtime":"deno"')
}, 90_000)
