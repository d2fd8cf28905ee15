// Headless Chromium for the browser tests: Debian's chromium package (.ci/run installs it when it is
// missing), driven by playwright-core, each time with a fresh profile that is removed afterwards.
// Where there is no Chromium the browser tests are skipped with a loud line, except under CI=true,
// where that fails the run (as an unreachable Redis does).

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

export const CHROMIUM = process.env.KVGATE_TEST_CHROMIUM || '/usr/bin/chromium'

/** Whether the browser tests can run here. */
export function requireChromium(): boolean {
  if (existsSync(CHROMIUM)) return true
  const message = `no Chromium at ${CHROMIUM} (apt-get install chromium)`
  if (process.env.CI === 'true') throw new Error(`${message} (CI needs it)`)
  console.warn(`\n!!!!! SKIPPING the browser tests: ${message} !!!!!\n`)
  return false
}

export interface OpenBrowser {
  context: BrowserContext
  close(): Promise<void>
}

/** A headless Chromium with a profile of its own and nothing that calls home. */
export async function openBrowser(): Promise<OpenBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'kvgate-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
