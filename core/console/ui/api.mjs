// Every call the console makes to kvgate, in one place: the admin API under /admin (each with the
// admin token from this tab's sessionStorage) and /healthz. Paths are relative to the console's
// own address, so the console also works behind a proxy that serves kvgate under a prefix.

import { percentEncode } from './bytes.mjs'
import { sseParser } from './sse.mjs'

const TOKEN_KEY = 'kvgate.admin-token'

/** Dialects whose accounts the operator creates (KVdb's buckets are made by its clients). */
export const ACCOUNT_DIALECTS = ['cloudkv', 'workers-kv', 'lightkv', 'rocketstack']
export const DIALECTS = ['kvdb', 'cloudkv', 'workers-kv', 'lightkv', 'rocketstack']
/** What `which` a rotation takes, for dialects whose accounts hold credentials of several roles. */
export const ROTATION_ROLES = /** @type {Record<string, string[]>} */ ({
  lightkv: ['both', 'read', 'readwrite'],
})

/**
 * @typedef {{ account_id: string, dialect: string, name: string | null, created_at: string }} Account
 * @typedef {{ account_id: string, dialect: string, credentials: Record<string, string> }} IssuedCredentials
 * @typedef {{ id: string, dialect: string, owner: string | null, title: string | null, keys: number | null, created_at: string | number | null }} Namespace
 * @typedef {{ key: string, encoding: 'utf8' | 'base64', size: number, kind: string, version: number | string, expires_at: string | number | null, metadata: unknown }} KeyRow
 * @typedef {{ key: string, value: string, encoding: 'text' | 'json' | 'base64', kind: string, version: number | string, expires_at: string | number | null, metadata: unknown }} Entry
 * @typedef {{ value: string, encoding: 'text' | 'json' | 'base64', metadata?: unknown, ttl?: number }} EntryWrite
 * @typedef {{ backend?: string, uptime?: number, version?: string, counts?: Record<string, unknown>, rates?: Record<string, unknown> }} Stats
 * @typedef {{ status: string, backend?: string, error?: string }} Health
 * @typedef {{ name: string, base_url: string, openapi: string | null }} MountedDialect
 * @typedef {{ version: string, backend: string, dialects: MountedDialect[], openapi: string[] }} ServerIndex
 * @typedef {{ summary?: string, description?: string }} Operation
 * @typedef {{ key: string, key_encoding?: 'base64', version: number | null, expires_at: number | null, revision?: number }} ChangeData
 * @typedef {{ type: string, revision: number, data: ChangeData }} Change
 * @typedef {{ info: { title: string, version: string, description?: string }, servers?: Array<{ url: string }>, paths: Record<string, Record<string, Operation>> }} OpenApiDocument
 */

const NO_DATA_ROUTES = "This kvgate's admin API has no namespace routes: namespaces and keys cannot be shown."

const NO_STATS_ROUTE = "This kvgate's admin API has no stats route: request rates cannot be shown."

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

export const session = {
  /** @returns {string | null} */
  get token() {
    return sessionStorage.getItem(TOKEN_KEY)
  },
  /** @param {string} token */
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token)
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY)
  },
}

/** Called when the server refuses the token, so the console can ask for it again. */
let onRefused = () => {}
/** @param {() => void} handler */
export function whenTokenRefused(handler) {
  onRefused = handler
}

/**
 * @param {string} method
 * @param {string} path below /admin/, e.g. "accounts"
 * @param {{ body?: unknown, headers?: Record<string, string>, token?: string | null, query?: Record<string, string | number | null | undefined>, signal?: AbortSignal }} [options]
 */
async function call(method, path, options = {}) {
  const token = options.token ?? session.token
  const headers = new Headers(options.headers)
  if (token) headers.set('authorization', `Bearer ${token}`)
  if (options.body !== undefined) headers.set('content-type', 'application/json')
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== null && value !== undefined && value !== '') query.set(name, String(value))
  }
  const url = `${path}${query.size > 0 ? `?${query}` : ''}`
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    cache: 'no-store',
    signal: options.signal,
  })
  if (!response.ok) {
    const message = await errorMessage(response)
    if (response.status === 401 && options.token === undefined) onRefused()
    throw new ApiError(response.status, message)
  }
  return response
}

/** @param {Response} response */
async function errorMessage(response) {
  const text = await response.text()
  try {
    const body = JSON.parse(text)
    if (typeof body?.error === 'string') return body.error
    if (typeof body?.message === 'string') return body.message
  } catch {}
  return text || `${response.status} ${response.statusText}`
}

/**
 * Waits, or less when the signal aborts.
 * @param {number} ms
 * @param {AbortSignal} signal
 */
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve(undefined)
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })

/** @param {Response} response */
const json = (response) => response.json()

/** @param {string} id */
const namespacePath = (id) => `namespaces/${encodeURIComponent(id)}`
/**
 * @param {string} id
 * @param {Uint8Array} key
 */
const entryPath = (id, key) => `${namespacePath(id)}/entries/${percentEncode(key)}`

export const api = {
  /**
   * Whether the server takes this token (it answers the accounts list only with the right one).
   * @param {string} token
   */
  async accepts(token) {
    try {
      await call('GET', 'accounts', { token })
      return true
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return false
      throw error
    }
  },

  /** @returns {Promise<Account[]>} */
  accounts: () => call('GET', 'accounts').then(json),

  /**
   * @param {string} dialect
   * @param {string | null} name
   * @returns {Promise<IssuedCredentials>}
   */
  createAccount: (dialect, name) => call('POST', 'accounts', { body: { dialect, name } }).then(json),

  /**
   * @param {string} id
   * @param {string | undefined} which
   * @returns {Promise<IssuedCredentials>}
   */
  rotateAccount: (id, which) =>
    call('POST', `accounts/${encodeURIComponent(id)}/rotate`, { body: which ? { which } : {} }).then(json),

  /** @param {string} id */
  deleteAccount: (id) => call('DELETE', `accounts/${encodeURIComponent(id)}`),

  /**
   * @param {{ dialect?: string | null, account?: string | null, cursor?: string | null, limit?: number }} filter
   * @returns {Promise<{ namespaces: Namespace[], cursor: string | null }>}
   */
  namespaces: async (filter) => {
    const response = await call('GET', 'namespaces', { query: filter }).catch((error) => {
      // The list itself is never "not found": only a server without these routes answers 404.
      if (error instanceof ApiError && error.status === 404) throw new ApiError(404, NO_DATA_ROUTES)
      throw error
    })
    const page = await response.json()
    return { namespaces: page.namespaces, cursor: page.cursor ?? null }
  },

  /**
   * @param {string} id
   * @returns {Promise<Namespace>}
   */
  namespace: (id) => call('GET', namespacePath(id)).then(json),

  /** @param {string} id */
  deleteNamespace: (id) => call('DELETE', namespacePath(id)),

  /**
   * @param {string} id
   * @param {{ prefix?: string, cursor?: string | null, limit?: number }} page
   * @returns {Promise<{ keys: KeyRow[], cursor: string | null }>}
   */
  keys: async (id, page) => {
    const answer = await call('GET', `${namespacePath(id)}/keys`, { query: page }).then(json)
    return { keys: answer.keys, cursor: answer.cursor ?? null }
  },

  /**
   * An entry and the version to write it back with, or null when there is none.
   * @param {string} id
   * @param {Uint8Array} key
   * @returns {Promise<{ entry: Entry, etag: string | null } | null>}
   */
  entry: async (id, key) => {
    try {
      const response = await call('GET', entryPath(id, key))
      return { entry: await response.json(), etag: response.headers.get('etag') }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null
      throw error
    }
  },

  /**
   * Writes an entry; with an etag only if it is still that version (else ApiError 412).
   * @param {string} id
   * @param {Uint8Array} key
   * @param {EntryWrite} write
   * @param {string | null} etag
   * @returns {Promise<{ etag: string | null }>}
   */
  putEntry: async (id, key, write, etag) => {
    const headers = etag ? { 'if-match': etag } : undefined
    const response = await call('PUT', entryPath(id, key), { body: write, headers })
    return { etag: response.headers.get('etag') }
  },

  /**
   * @param {string} id
   * @param {Uint8Array} key
   * @param {string | null} etag
   */
  deleteEntry: (id, key, etag) =>
    call('DELETE', entryPath(id, key), { headers: etag ? { 'if-match': etag } : undefined }),

  /**
   * Follows a namespace's change feed (docs/watch.md) until `signal` aborts, reconnecting after a
   * dropped connection from the last revision seen, so no change is missed or shown twice. It ends
   * (throws) only when the server refuses the watch (a 4xx: no such namespace, a bad prefix).
   * @param {string} id
   * @param {{ prefix?: string, signal: AbortSignal, onChange: (change: Change) => void, onState: (state: 'live' | 'reconnecting', detail?: string) => void }} options
   */
  watch: async (id, { prefix, signal, onChange, onState }) => {
    const path = `${namespacePath(id)}/watch`
    const query = { prefix }
    let failures = 0
    let retryMs = 1000
    /** @type {string | null} where to resume; the current revision first, so the first drop loses nothing */
    let after = null
    while (!signal.aborted) {
      try {
        if (after === null) {
          const head = await call('GET', path, { query, signal }).then(json)
          after = String(head.revision)
        }
        const headers = { accept: 'text/event-stream', 'last-event-id': after }
        const response = await call('GET', path, { query, headers, signal })
        if (!response.body) throw new Error('the event stream has no body')
        onState('live')
        failures = 0
        const parser = sseParser((event) => {
          after = event.id || after
          onChange({ type: event.type, revision: Number(event.id), data: JSON.parse(event.data) })
        }, after)
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          parser.push(value)
          retryMs = parser.retry ?? retryMs
        }
        throw new Error('the server closed the stream')
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) throw error
        // Down or restarting: back off, up to half a minute between tries.
        const wait = Math.min(retryMs * 2 ** failures++, 30_000)
        onState(
          'reconnecting',
          `${error instanceof Error ? error.message : error}; again in ${Math.round(wait / 1000)}s`,
        )
        await sleep(wait, signal)
      }
    }
  },

  /** @returns {Promise<Stats>} */
  stats: async () => {
    const response = await call('GET', 'stats').catch((error) => {
      if (error instanceof ApiError && error.status === 404) throw new ApiError(404, NO_STATS_ROUTE)
      throw error
    })
    return response.json()
  },

  /**
   * What the server mounts (its index at "/", next to the console's own address).
   * @returns {Promise<ServerIndex>}
   */
  index: async () => {
    const response = await fetch('../', { headers: { accept: 'application/json' }, cache: 'no-store' })
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response))
    return response.json()
  },

  /**
   * An OpenAPI document the server serves (its documents need no token).
   * @param {string} name a dialect, or "admin"
   * @returns {Promise<OpenApiDocument>}
   */
  openapi: async (name) => {
    const response = await fetch(`../openapi/${encodeURIComponent(name)}.json`, { cache: 'no-store' })
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response))
    return response.json()
  },

  /**
   * The store's health; /healthz needs no token and answers 503 with a body when the store is down.
   * @returns {Promise<Health>}
   */
  health: async () => {
    const response = await fetch('../healthz', { cache: 'no-store' })
    return response.json()
  },
}
