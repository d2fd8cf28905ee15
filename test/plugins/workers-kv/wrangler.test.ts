// wrangler (4.x), unmodified, against kvgate on a real port: its CLI runs under Bun (it refuses
// Node < 22.12) with CLOUDFLARE_API_BASE_URL pointing at /client/v4. Each run costs a couple of
// seconds, so every command runs in one sequence, on the first store only: what it proves is
// the wire format, which no store changes.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { BUN, outputOf, ROOT } from '../../support/process.ts'
import { testStores } from '../../support/stores.ts'
import { type Account, expectOk, newAccount, openKvgate } from './helpers.ts'

const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')

const store = testStores[0]!

describe(`workers-kv with wrangler [${store.name}]`, () => {
  const kvgate = openKvgate(store)
  const server = listenTestKvgate(kvgate)
  const home = mkdtempSync(join(tmpdir(), 'kvgate-wrangler-'))
  let account: Account
  beforeAll(async () => {
    account = await newAccount(kvgate, 'wrangler account')
  })
  afterAll(async () => {
    await server.stop()
    await kvgate.close()
    rmSync(home, { recursive: true, force: true })
  })

  async function wrangler(args: string[], options: { accountId?: boolean } = {}) {
    const child = Bun.spawn([BUN, WRANGLER, ...args], {
      cwd: home,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        CI: 'true',
        WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_API_BASE_URL: `${server.url}/client/v4`,
        CLOUDFLARE_API_TOKEN: account.token,
        ...(options.accountId ? { CLOUDFLARE_ACCOUNT_ID: account.id } : {}),
      },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    return outputOf(child)
  }

  /** Runs a command that must succeed and returns its output. */
  async function ok(args: string[], options: { accountId?: boolean } = {}) {
    const result = await wrangler(args, options)
    if (result.code !== 0) {
      throw new Error(`wrangler ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`)
    }
    return result.stdout
  }

  /** The JSON array a command printed after its banner. */
  const jsonArray = (output: string) =>
    JSON.parse(output.slice(output.search(/^\[/m), output.lastIndexOf(']') + 1))

  test('kv namespace create/list/rename/delete, kv key put/get/list/delete --remote, kv bulk put/delete', async () => {
    // Without CLOUDFLARE_ACCOUNT_ID wrangler finds the account through /accounts and /memberships.
    const created = await ok(['kv', 'namespace', 'create', 'wrangler-ns'])
    const id = /"id": "([0-9a-f]{32})"/.exec(created)?.[1]
    expect(id).toBeDefined()
    const listed = jsonArray(await ok(['kv', 'namespace', 'list']))
    expect(listed).toEqual([{ id, title: 'wrangler-ns', supports_url_encoding: true }])
    const duplicate = await wrangler(['kv', 'namespace', 'create', 'wrangler-ns'], { accountId: true })
    expect(duplicate.code).not.toBe(0)
    expect(duplicate.stdout + duplicate.stderr).toContain('already exists')

    const target = ['--namespace-id', id!, '--remote']
    const opts = { accountId: true }
    // --metadata sends multipart value + JSON metadata; --path sends the raw file.
    await ok(
      [
        'kv',
        'key',
        'put',
        'dir/key one',
        'hello wrangler',
        ...target,
        '--metadata',
        '{"m":1}',
        '--ttl',
        '120',
      ],
      opts,
    )
    const file = join(home, 'value.bin')
    writeFileSync(file, new Uint8Array([0, 1, 2, 255]))
    await ok(['kv', 'key', 'put', 'raw', '--path', file, ...target], opts)
    expect(await ok(['kv', 'key', 'get', 'dir/key one', ...target, '--text'], opts)).toContain(
      'hello wrangler',
    )
    const raw = await kvgate.fetch(`${account.ns}/${id}/values/raw`, { headers: account.auth })
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2, 255]))

    const keys = jsonArray(await ok(['kv', 'key', 'list', ...target], opts))
    expect(keys).toEqual([
      { name: 'dir/key one', expiration: expect.any(Number), metadata: { m: 1 } },
      { name: 'raw' },
    ])

    // 1,500 pairs: wrangler sends them in batches of 1,000, and lists them over two cursor pages.
    const pairs = Array.from({ length: 1500 }, (_, i) => ({
      key: `bulk-${String(i).padStart(4, '0')}`,
      value: `v${i}`,
    }))
    pairs.push({ key: 'b64', value: Buffer.from('decoded').toString('base64'), base64: true } as never)
    writeFileSync(join(home, 'bulk.json'), JSON.stringify(pairs))
    await ok(['kv', 'bulk', 'put', join(home, 'bulk.json'), ...target], opts)
    const decoded = await kvgate.fetch(`${account.ns}/${id}/values/b64`, { headers: account.auth })
    expect(await decoded.text()).toBe('decoded')
    expect(jsonArray(await ok(['kv', 'key', 'list', ...target], opts))).toHaveLength(1503)

    writeFileSync(join(home, 'delete.json'), JSON.stringify(pairs.map((pair) => pair.key)))
    await ok(['kv', 'bulk', 'delete', join(home, 'delete.json'), ...target, '--force'], opts)
    await ok(['kv', 'key', 'delete', 'dir/key one', ...target])
    expect(jsonArray(await ok(['kv', 'key', 'list', ...target], opts))).toEqual([{ name: 'raw' }])

    const missing = await wrangler(['kv', 'key', 'get', 'dir/key one', ...target], opts)
    // wrangler treats any non-2xx read as a failure.
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('404')
    const remaining = await expectOk(
      await kvgate.fetch(`${account.ns}/${id}/keys`, { headers: account.auth }),
    )
    expect(remaining.result).toEqual([{ name: 'raw' }])

    // Rename looks the namespace up by title (per_page=100); delete takes -y.
    await ok(['kv', 'namespace', 'rename', 'wrangler-ns', '--new-name', 'renamed-ns'], opts)
    await ok(['kv', 'namespace', 'delete', '--namespace-id', id!, '-y'], opts)
    expect(jsonArray(await ok(['kv', 'namespace', 'list'], opts))).toEqual([])
  }, 120_000)
})
