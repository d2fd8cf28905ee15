// The web console in a real browser (headless Chromium), on the embedded store and on Redis: sign
// in (a wrong token first), create an account, write keys through Workers KV's own API, find them
// in the console, edit one and read the edit back through Workers KV, delete it, follow writes and
// a delete in the key browser's live tail (across a dropped stream), watch the health page and the API documents. Each
// page's screenshot lands in test-artifacts/console/<store>/.
//
// Redis Cluster is left out on purpose: the console only talks to the admin API, whose own tests
// cover every store; a third browser run would add time and no case.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { endAllWatches } from '../../core/watch/index.ts'
import { openEventStreams } from '../../core/watch/sse.ts'
import { dialects } from '../../plugins/index.ts'
import { type OpenBrowser, openBrowser, requireChromium } from '../support/chromium.ts'
import { ADMIN_TOKEN, listenTestKvgate, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { ROOT } from '../support/process.ts'
import { redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const stores: Array<{ name: string; env: () => Record<string, string> }> = [
  { name: 'sqlite', env: () => ({ KVGATE_DATA: ':memory:' }) },
]
if (await requireRedis('redis', redisUrl())) {
  stores.push({ name: 'redis', env: () => ({ REDIS_URL: redisUrl(), KVGATE_REDIS_PREFIX: testPrefix() }) })
}

const WORKERS_KV = '/client/v4'
/** One step's limit: the whole run per store stays well under a minute. */
const STEP_MS = 20_000
const step = (name: string, run: () => Promise<void>) => test(name, run, STEP_MS)

/** Waits for a condition of the server's own state (the page's waits cannot see it). */
async function until(condition: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so after ${ms} ms: ${condition}`)
    await Bun.sleep(20)
  }
}

if (requireChromium()) {
  for (const store of stores) {
    describe(`the web console in Chromium [${store.name}]`, () => consoleSuite(store.name, store.env()))
  }
}

function consoleSuite(storeName: string, env: Record<string, string>) {
  const artifacts = join(ROOT, 'test-artifacts/console', storeName)
  let kvgate: TestKvgate
  let server: { url: string; stop(): Promise<void> }
  let browser: OpenBrowser
  let page: Page
  /** Every address the page asked for, and everything it complained about. */
  const requested: string[] = []
  const complaints: string[] = []
  /** The Workers KV account the console creates, and its namespace. */
  const account = { id: '', token: '', namespace: '' }
  /** The console's address of that namespace's key browser. */
  let keysUrl = ''

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
  const workersKv = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${WORKERS_KV}/accounts/${account.id}/storage/kv/namespaces${path}`, {
      ...init,
      headers: { authorization: `Bearer ${account.token}`, ...init.headers },
    })

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true })
    kvgate = testKvgate(dialects, env)
    server = listenTestKvgate(kvgate)
    browser = await openBrowser()
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    // Well inside a step's limit, so that a wait that fails says what it waited for.
    page.setDefaultTimeout(10_000)
    page.on('request', (request) => requested.push(request.url()))
    page.on('console', (message) => {
      if (message.type() === 'error') complaints.push(message.text())
    })
    page.on('pageerror', (error) => complaints.push(error.message))
    page.on('dialog', (dialog) => dialog.accept())
    // Chromium's first start reads its whole profile and libraries: on a loaded two-core machine
    // that has taken over 30 s.
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await kvgate?.close()
  })

  step('a wrong token is refused; the right one signs in and stays in this tab only', async () => {
    const response = await page.goto(`${server.url}/admin/`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'")
    await page.fill('#token', 'not-the-admin-token-at-all')
    await page.click('button[type=submit]')
    expect(await page.getByRole('alert').textContent()).toContain('Wrong token')
    await shot('01-sign-in-refused')

    await page.fill('#token', ADMIN_TOKEN)
    await page.click('button[type=submit]')
    await page.getByRole('heading', { name: 'Accounts' }).waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('kvgate.admin-token'))).toBe(ADMIN_TOKEN)
    expect(await page.evaluate(() => localStorage.length)).toBe(0)
    expect(page.url()).not.toContain(ADMIN_TOKEN)
  })

  step('creates an account and shows its credentials once', async () => {
    await page.selectOption('select[name=dialect]', 'workers-kv')
    await page.fill('input[name=name]', 'shop')
    await page.click('text=Create account')
    const token = page.locator('.credentials code[data-credential=api_token]')
    await token.waitFor()
    account.token = (await token.textContent())!
    const listed = await kvgate.accounts.list()
    expect(listed.map((each) => [each.dialect, each.name])).toEqual([['workers-kv', 'shop']])
    account.id = listed[0]!.account_id
    expect(await page.locator('table').textContent()).toContain(account.id)
    await shot('02-accounts')

    // Seen once: after another page, the account is listed but its token is nowhere.
    await page.click('nav >> text=Health')
    await page.click('nav >> text=Accounts')
    await page.locator('table').getByText(account.id).waitFor()
    expect(await page.content()).not.toContain(account.token)
  })

  step('writes keys through Workers KV', async () => {
    const created = await workersKv('', { method: 'POST', body: JSON.stringify({ title: 'shop-sessions' }) })
    expect(created.status).toBe(200)
    account.namespace = (await created.json()).result.id
    const greeting = new FormData()
    greeting.set('value', 'hello from Workers KV')
    greeting.set('metadata', JSON.stringify({ lang: 'en' }))
    const put = await workersKv(`/${account.namespace}/values/greeting?expiration_ttl=3600`, {
      method: 'PUT',
      body: greeting,
    })
    expect(put.status).toBe(200)
    const items = [
      { key: 'config.json', value: JSON.stringify({ theme: 'dark', retries: 3 }) },
      { key: 'avatar.bin', value: Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]).toString('base64'), base64: true },
      ...Array.from({ length: 55 }, (_, index) => ({
        key: `session/${String(index).padStart(3, '0')}`,
        value: `user-${index}`,
      })),
    ]
    const bulk = await workersKv(`/${account.namespace}/bulk`, { method: 'PUT', body: JSON.stringify(items) })
    expect(bulk.status).toBe(200)
  })

  dataSteps()

  step('the health page shows the store and live request rates', async () => {
    await page.click('nav >> text=Health')
    await page.locator('#store-state').waitFor()
    expect(await page.textContent('#store-state')).toBe('Healthy')
    expect(await page.locator('.status').textContent()).toContain(storeName === 'sqlite' ? 'sqlite' : 'redis')
    await page.locator('svg.sparkline').waitFor()
    await shot('06-health')
  })

  step("the API page lists each dialect's base URL and reads its OpenAPI document", async () => {
    await page.click('nav >> text=API')
    // The page's own heading first: until it shows, the cards of the page before may still be there.
    await page.getByRole('heading', { name: 'API documents' }).waitFor()
    await page.locator('section.card h2').waitFor()
    expect(await page.locator('table').first().textContent()).toContain('/client/v4')
    await page.click('nav.tabs >> text=workers-kv')
    await page.getByRole('heading', { name: 'Workers KV REST API (kvgate)' }).waitFor()
    const operations = (await page.locator('section.card table').textContent())!
    expect(operations).toContain('/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key}')
    await shot('07-api')
  })

  step('signing out forgets the token', async () => {
    await page.click('#sign-out')
    await page.locator('#token').waitFor()
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
  })

  test('the page fetched nothing from elsewhere, never put the token in a URL, and broke no policy', () => {
    expect(requested.length).toBeGreaterThan(10)
    for (const url of requested) {
      expect(url.startsWith(`${server.url}/`)).toBe(true)
      expect(url).not.toContain(ADMIN_TOKEN)
    }
    // Chromium reports each refused request as a failed load: the wrong token's 401 is expected;
    // anything else is a fault.
    const expected = /status of 401/
    const failedLoad = /^Failed to load resource: the server responded with a status of \d+/
    expect(complaints.filter((text) => !(failedLoad.test(text) && expected.test(text)))).toEqual([])
  })

  /** Finding, showing, editing and deleting through the admin API's namespace and entry routes. */
  function dataSteps() {
    step('finds the namespace, and its keys by prefix and page by page', async () => {
      await page.click('nav >> text=Namespaces')
      await page.click('nav.tabs >> text=workers-kv')
      const row = page.locator('tr', { hasText: 'shop-sessions' })
      await row.waitFor()
      expect(await row.textContent()).toContain(account.id)
      await shot('03-namespaces')

      await row.getByRole('link', { name: 'shop-sessions' }).click()
      await page.getByRole('heading', { name: 'Keys' }).waitFor()
      keysUrl = page.url()
      const firstPage = page.locator('tbody tr')
      await firstPage.first().waitFor()
      expect(await firstPage.count()).toBe(50)
      expect(await firstPage.first().textContent()).toContain('avatar.bin')
      await page.click('text=Next →')
      await page.locator('tbody tr', { hasText: 'session/054' }).waitFor()
      expect(await page.locator('tbody tr').count()).toBe(8)
      await page.click('text=← Previous')
      await page.locator('tbody tr', { hasText: 'avatar.bin' }).waitFor()

      await page.fill('input[name=prefix]', 'gre')
      await page.click('button:has-text("Search")')
      await page.waitForURL(/prefix=gre/)
      const found = page.locator('tbody tr')
      await found.first().waitFor()
      expect(await found.count()).toBe(1)
      const text = (await found.textContent())!
      expect(text).toContain('greeting')
      expect(text).toContain('"lang":"en"')
      expect(text).toMatch(/in (59m|1h)/)
      await page.fill('input[name=prefix]', '')
      await page.click('button:has-text("Search")')
      await page.locator('tbody tr', { hasText: 'session/046' }).waitFor()
      await shot('04-keys')
    })

    step('shows values as text, pretty JSON and hex', async () => {
      await page.click('text=config.json')
      await page.locator('#value').waitFor()
      expect(await page.isChecked('input[value=json]')).toBe(true)
      expect(await page.inputValue('#value')).toBe('{\n  "theme": "dark",\n  "retries": 3\n}')
      await page.goBack()
      await page.click('text=avatar.bin')
      await page.locator('pre.hexdump').waitFor()
      expect(await page.isChecked('input[value=hex]')).toBe(true)
      expect(await page.inputValue('#value')).toBe('00 01 02 fe ff 80')
      expect(await page.textContent('pre.hexdump')).toContain('00000000  00 01 02 fe ff 80')
      await page.goBack()
    })

    step('shows only the start of a value too large to edit', async () => {
      const large = new Uint8Array(1536 * 1024).fill(0x41)
      const put = await workersKv(`/${account.namespace}/values/large.bin`, { method: 'PUT', body: large })
      expect(put.status).toBe(200)
      const keys = page.url()
      await page.goto(`${keys}/entries/large.bin`)
      await page.getByText('Too large to edit here').waitFor()
      expect(await page.locator('#value').count()).toBe(0)
      const preview = (await page.textContent('pre.hexdump'))!
      expect(preview.split('\n')).toHaveLength(4096 / 16)
      expect(preview).toStartWith('00000000  41 41 41')
      await page.goBack()
    })

    step('edits a value; Workers KV reads the edit, with its metadata and expiry kept', async () => {
      await page.click('text=greeting')
      await page.locator('#value').waitFor()
      expect(await page.inputValue('#value')).toBe('hello from Workers KV')
      expect(JSON.parse(await page.inputValue('#metadata'))).toEqual({ lang: 'en' })
      expect(await page.textContent('#expires')).toMatch(/^in (59m|1h)/)
      const version = await page.textContent('#version')
      await shot('05-entry')

      await page.fill('#value', 'edited in the console')
      await page.click('#save')
      await page.waitForFunction(
        (before) => document.querySelector('#version')?.textContent !== before,
        version,
      )
      const read = await workersKv(`/${account.namespace}/values/greeting`)
      expect(await read.text()).toBe('edited in the console')
      const expiration = Number(read.headers.get('expiration'))
      expect(expiration - Date.now() / 1000).toBeGreaterThan(3500)
      const metadata = await workersKv(`/${account.namespace}/metadata/greeting`)
      expect((await metadata.json()).result).toEqual({ lang: 'en' })
    })

    step('deletes the key; Workers KV no longer finds it', async () => {
      await page.click('button:has-text("Delete")')
      await page.getByText('Deleted.').waitFor()
      const read = await workersKv(`/${account.namespace}/values/greeting`)
      expect(read.status).toBe(404)
    })

    step(
      'the live tail shows writes and a delete made through Workers KV, across a dropped stream, until the page is left',
      async () => {
        await page.goto(keysUrl)
        await page.getByRole('heading', { name: 'Keys' }).waitFor()
        await page.click('#live-toggle')
        await page.locator('#live-state', { hasText: 'live' }).waitFor()
        expect(page.url()).toContain('live=1')
        expect(openEventStreams()).toBe(1)

        const values = (key: string) => `/${account.namespace}/values/${encodeURIComponent(key)}`
        const put = (key: string, body: string) => workersKv(values(key), { method: 'PUT', body })
        expect((await put('live/note', 'written while watched')).status).toBe(200)
        const rows = page.locator('#live-tail tbody tr')
        await rows.first().waitFor()
        // The server drops the stream (as at a restart); what is written meanwhile still arrives,
        // once, when the tail reconnects from the last revision it saw.
        endAllWatches()
        await page.locator('#live-state', { hasText: 'reconnecting' }).waitFor()
        expect((await put('live/kept', 'still here')).status).toBe(200)
        await page.locator('#live-state', { hasText: /· live$/ }).waitFor()
        expect((await workersKv(values('live/note'), { method: 'DELETE' })).status).toBe(200)
        await rows.nth(2).waitFor()
        const cells = async (row: number) =>
          (await rows.nth(row).locator('td').allTextContents()).slice(1).map((cell) => cell.trim())
        // Newest first, each with its key; puts with the entry's version, the delete with none.
        expect(await cells(0)).toEqual(['delete', 'live/note', ''])
        for (const [row, key] of [
          [1, 'live/kept'],
          [2, 'live/note'],
        ] as const) {
          const [event, shown, version] = await cells(row)
          expect([event, shown]).toEqual(['put', key])
          expect(version).toMatch(/^\d+$/)
        }
        expect(await rows.count()).toBe(3)
        await shot('05-live-tail')

        // A key opens in the entry page; leaving the key browser ends its stream on the server.
        await rows.nth(1).getByRole('link', { name: 'live/kept' }).click()
        await page.waitForURL(/entries\/live%2Fkept$/)
        await page.locator('#value').waitFor()
        expect(await page.inputValue('#value')).toBe('still here')
        await until(() => openEventStreams() === 0)
        // Back again, the tail is on again (from now on); "Live" off ends it too.
        await page.goBack()
        await page.locator('#live-state', { hasText: 'live' }).waitFor()
        await until(() => openEventStreams() === 1)
        // A search keeps it on, under the new prefix (one stream: the old one ended).
        await page.fill('input[name=prefix]', 'live/')
        await page.click('button:has-text("Search")')
        await page.waitForURL(/prefix=live%2F&live=1$/)
        await page.locator('#live-state', { hasText: 'live' }).waitFor()
        await until(() => openEventStreams() === 1)
        await page.click('#live-toggle')
        await until(() => openEventStreams() === 0)
        expect(page.url()).toEndWith('?prefix=live%2F')
      },
    )
  }
}
