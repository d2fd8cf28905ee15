// A LightKV test kvgate on one store and mount, with one app and a small client that speaks the
// dialect: paths are relative to the mount, which gives the prefix and the Host header.

import { expect } from 'bun:test'
import type { Clock } from '../../../core/engine/types.ts'
import { lightkvDialect } from '../../../plugins/lightkv-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { type TestMount, testMounts } from '../../support/mounts.ts'
import type { TestStore } from '../../support/stores.ts'

/** Where the suites mount LightKV: its default prefix, another prefix, and a host of its own. */
export const LIGHTKV_MOUNTS = testMounts('lightkv', lightkvDialect.defaultPrefix)
export const DEFAULT_MOUNT = LIGHTKV_MOUNTS[0]!

export interface App {
  id: string
  read: string
  readwrite: string
}

export interface Answer {
  status: number
  headers: Headers
  body: any
  /** The body as sent, for what JSON.parse would lose (number digits). */
  text: string
}

export interface CallOptions {
  token?: string | null
  /** A JSON value to send, or the exact text when a string is given with `raw`. */
  json?: unknown
  raw?: string
  headers?: Record<string, string>
}

export interface LightKvTest {
  kvgate: TestKvgate
  mount: TestMount
  app: App
  /** A request to a path below the mount, on the mount's host. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  newApp(): Promise<App>
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  get(path: string, token?: string): Promise<Answer>
  post(path: string, json: unknown, token?: string): Promise<Answer>
  close(): Promise<void>
}

export interface LightKvTestOptions {
  mount?: TestMount
  /** Settings beside the store's and the mount's (KVGATE_LIGHTKV_*, or KVGATE_ROUTES of its own). */
  env?: Record<string, string>
  clock?: Clock
}

export async function lightKvTest(store: TestStore, options: LightKvTestOptions = {}): Promise<LightKvTest> {
  const { mount = DEFAULT_MOUNT, env = {}, clock } = options
  const kvgate = testKvgate([lightkvDialect], { ...store.env, ...mount.env, ...env }, { clock })
  const fetch = (path: string, init: RequestInit = {}) =>
    kvgate.fetch(`${mount.prefix}${path}`, { ...init, host: mount.host })
  const newApp = async (): Promise<App> => {
    const created = await kvgate.createAccount('lightkv', `app-${crypto.randomUUID()}`)
    return {
      id: created.account_id,
      read: created.credentials.read_token!,
      readwrite: created.credentials.readwrite_token!,
    }
  }
  const app = await newApp()
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const token = options.token === undefined ? app.readwrite : options.token
    const headers: Record<string, string> = { ...options.headers }
    if (token !== null) headers.authorization = `Bearer ${token}`
    const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json))
    const response = await fetch(path, { method, headers, body })
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`${method} ${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`)
    }
    return { status: response.status, headers: response.headers, body: parsed, text }
  }
  return {
    kvgate,
    mount,
    app,
    fetch,
    newApp,
    call,
    get: (path, token) => call('GET', path, { token }),
    post: (path, json, token) => call('POST', path, { json, token }),
    close: () => kvgate.close(),
  }
}

/** The envelope of an error; any message matches when none is given. */
export const failure = (code: string, message?: string) => ({
  ok: false,
  error: { code, message: message ?? expect.any(String) },
})
