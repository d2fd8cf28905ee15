import { afterAll, expect, test } from 'bun:test'
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kvgateBinary } from '../support/binary.ts'
import { expectBucketScriptsRun } from '../support/bucket-scripts.ts'
import { freePort, waitForHealthy } from '../support/process.ts'

const ADMIN_TOKEN = 'binary-test-admin-token'
const folder = mkdtempSync(join(tmpdir(), 'kvgate-binary-'))
const binary = join(folder, 'kvgate')
copyFileSync(kvgateBinary(), binary)
const running: Array<{ kill(signal?: number | NodeJS.Signals): void }> = []
afterAll(() => {
  for (const child of running) child.kill('SIGKILL')
})

// Only what a user would have: no node_modules, no sources, no Bun on PATH.
const env = { PATH: '/usr/bin:/bin', HOME: folder, KVGATE_ADMIN_TOKEN: ADMIN_TOKEN, KVGATE_LOG: 'warn' }

async function start() {
  const port = freePort()
  const child = Bun.spawn([binary, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: folder,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  running.push(child)
  const base = `http://127.0.0.1:${port}`
  await waitForHealthy(`${base}/healthz`)
  return { child, base }
}

const admin = (base: string, path = '', init: RequestInit = {}) =>
  fetch(`${base}/admin/accounts${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  })

test('the binary runs from an empty folder and embeds the Lua runtime', () => {
  expect(readdirSync(folder)).toEqual(['kvgate'])
  const selftest = Bun.spawnSync([binary, 'selftest', '--port', String(freePort())], {
    cwd: folder,
    env,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  expect(selftest.stderr.toString()).toBe('')
  const report = selftest.stdout.toString()
  expect(report).toContain('ok      lua            a script ran in the sandbox (1 + 1 = 2)\n')
  expect(report).toEndWith('all 4 checks passed\n')
  expect(selftest.exitCode).toBe(0)
  // It made no data folder: the probe ran on a temporary file.
  expect(readdirSync(folder)).toEqual(['kvgate'])
})

test('it serves, stops on SIGTERM, and finds its accounts and data again after a restart', async () => {
  const first = await start()
  expect(await (await fetch(`${first.base}/healthz`)).json()).toEqual({ status: 'ok', backend: 'sqlite' })
  expect(await (await admin(first.base)).json()).toEqual([])
  const created = await admin(first.base, '', { method: 'POST', body: '{"dialect":"lightkv"}' })
  expect(created.status).toBe(201)
  const { account_id, credentials } = await created.json()
  const bearer = { authorization: `Bearer ${credentials.readwrite_token}` }
  const written = await fetch(`${first.base}/lightkv/item/write`, {
    method: 'POST',
    headers: bearer,
    body: '{"key":"user:42:score","value":1337}',
  })
  expect(written.status).toBe(200)
  await expectBucketScriptsRun(first.base)
  first.child.kill('SIGTERM')
  expect(await first.child.exited).toBe(0)
  expect(existsSync(join(folder, 'data/kvgate.db'))).toBe(true)

  const second = await start()
  const accounts = await (await admin(second.base)).json()
  expect(accounts.map((account: { account_id: string }) => account.account_id)).toEqual([account_id])
  const read = await fetch(`${second.base}/lightkv/item/read?key=user:42:score`, { headers: bearer })
  expect(await read.json()).toEqual({ ok: true, data: { key: 'user:42:score', value: 1337 } })
  second.child.kill('SIGTERM')
  expect(await second.child.exited).toBe(0)
})

test('it serves the web console from the files embedded in it', async () => {
  const { child, base } = await start()
  const page = await fetch(`${base}/admin/`)
  expect(page.status).toBe(200)
  expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
  const html = await page.text()
  expect(html).toContain('<script type="module" src="app.mjs"></script>')
  for (const file of ['app.mjs', 'api.mjs', 'console.css', 'pages/entry.mjs']) {
    const response = await fetch(`${base}/admin/${file}`)
    expect(`${file} ${response.status}`).toBe(`${file} 200`)
    expect((await response.text()).length).toBeGreaterThan(100)
  }
  child.kill('SIGTERM')
  expect(await child.exited).toBe(0)
})
