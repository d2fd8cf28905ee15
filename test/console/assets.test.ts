// The console's files as the server hands them out: where, with which headers, and only with the
// admin API on. The browser test (console.test.ts) drives the pages themselves.

import { afterAll, describe, expect, test } from 'bun:test'
import { CONSOLE_ASSETS } from '../../core/console/assets.ts'
import { CONSOLE_CSP } from '../../core/console/routes.ts'
import { echoDialect } from '../support/echo-dialect.ts'
import { type TestKvgate, testKvgate } from '../support/kvgate.ts'

const opened: TestKvgate[] = []
const open = (env: Record<string, string> = {}) => {
  const kvgate = testKvgate([echoDialect], env)
  opened.push(kvgate)
  return kvgate
}
afterAll(async () => {
  for (const kvgate of opened) await kvgate.close()
})

/** The same-origin files a page or module names: src/href in HTML, import specifiers in modules. */
function referencedFiles(path: string, body: string): string[] {
  const found = path.endsWith('.mjs')
    ? [...body.matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!)
    : [...body.matchAll(/\b(?:src|href)="([^"#:]+)"/g)].map((match) => match[1]!)
  return found.map((reference) => new URL(reference, `http://console/admin/${path}`).pathname)
}

describe('the web console at /admin/', () => {
  test('the page and every file it loads are served without a token, each with a strict CSP', async () => {
    const kvgate = open()
    const served = new Set<string>()
    const pending = ['/admin/']
    while (pending.length > 0) {
      const path = pending.pop()!
      if (served.has(path)) continue
      served.add(path)
      const response = await kvgate.fetch(path)
      expect(`${path} ${response.status}`).toBe(`${path} 200`)
      expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('content-type')).toContain(
        path.endsWith('/') ? 'text/html' : path.endsWith('.css') ? 'text/css' : 'text/javascript',
      )
      pending.push(...referencedFiles(path.slice('/admin/'.length), await response.text()))
    }
    // Every embedded file is reachable from the page, and the page needs nothing else.
    expect([...served].sort()).toEqual(CONSOLE_ASSETS.map((asset) => `/admin/${asset.path}`).sort())
  })

  test('the policy lets the page load and call only its own origin, and run no inline script', () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'")
    expect(CONSOLE_CSP).toContain("script-src 'self'")
    expect(CONSOLE_CSP).toContain("connect-src 'self'")
    expect(CONSOLE_CSP).toContain("form-action 'none'")
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'")
    expect(CONSOLE_CSP).not.toContain('unsafe')
    // No address elsewhere in any file (the SVG namespace is a name, never fetched).
    for (const asset of CONSOLE_ASSETS) {
      expect(asset.body.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\/|\/\/[a-z]/i)
    }
  })

  test('/admin redirects to /admin/, relative to where it was asked', async () => {
    const response = await open().fetch('/admin')
    expect(response.status).toBe(308)
    expect(response.headers.get('location')).toBe('admin/')
  })

  test('a file the browser has answers 304', async () => {
    const kvgate = open()
    const first = await kvgate.fetch('/admin/app.mjs')
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = await kvgate.fetch('/admin/app.mjs', { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  test('an unknown file is a 404, and the admin API still wants its token', async () => {
    const kvgate = open()
    const missing = await kvgate.fetch('/admin/nothing.mjs')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not found' })
    expect((await kvgate.fetch('/admin/accounts')).status).toBe(401)
  })

  test('without KVGATE_ADMIN_TOKEN there is no console, as there is no admin API', async () => {
    const kvgate = open({ KVGATE_ADMIN_TOKEN: '' })
    expect((await kvgate.fetch('/admin/')).status).toBe(404)
    expect((await kvgate.fetch('/admin/app.mjs')).status).toBe(404)
    expect((await kvgate.fetch('/admin')).status).toBe(404)
  })
})
