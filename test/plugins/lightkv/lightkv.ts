// A LightKV test kvgate on one store, with one app and a small client that speaks the dialect.

import { expect } from 'bun:test'
import type { Clock } from '../../../core/engine/types.ts'
import { lightkvDialect } from '../../../plugins/lightkv-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import type { TestStore } from '../../support/stores.ts'

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
  app: App
  newApp(): Promise<App>
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  get(path: string, token?: string): Promise<Answer>
  post(path: string, json: unknown, token?: string): Promise<Answer>
  close(): Promise<void>
}

export async function lightKvTest(
  store: TestStore,
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<LightKvTest> {
  const kvgate = testKvgate([lightkvDialect], { ...store.env, ...env }, { clock })
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
    const response = await kvgate.fetch(`/lightkv${path}`, { method, headers, body })
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
    app,
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
