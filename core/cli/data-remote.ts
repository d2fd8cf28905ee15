// `kvgate data --url`: the same operations through a running server's /admin API, whose JSON is
// what the local operations return too.

import type { EntryJson, EntryWrite, KeyRowJson } from '../admin/entry-json.ts'
import { HttpError } from '../http/errors.ts'
import { callAdmin, errorOf } from './admin-client.ts'
import type { DataSource } from './data.ts'

/** Every byte of a key or prefix percent-encoded, as the admin API takes it in a path or query. */
const percentEncode = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('')

export function remoteData(url: string, token: string): DataSource {
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await callAdmin(url, token, method, path, body)
    if (response.ok || response.status === 404) return response
    throw new HttpError(response.status, (await errorOf(response)) ?? `server answered ${response.status}`)
  }
  const query = (pairs: Record<string, string | number | undefined>) => {
    const parts = Object.entries(pairs).flatMap(([name, value]) =>
      value === undefined ? [] : [`${name}=${name === 'prefix' ? value : encodeURIComponent(value)}`],
    )
    return parts.length > 0 ? `?${parts.join('&')}` : ''
  }
  const nsPath = (ns: string) => `/namespaces/${encodeURIComponent(ns)}`
  const entryPath = (ns: string, key: Uint8Array) => `${nsPath(ns)}/entries/${percentEncode(key)}`
  /** A 404 of a namespace route: the namespace is not there (the server's message says which). */
  const found = async (response: Response): Promise<Response> => {
    if (response.status !== 404) return response
    throw new HttpError(404, (await errorOf(response)) ?? 'not found')
  }

  return {
    async namespaces(filter) {
      return (await found(await call('GET', `/namespaces${query(filter)}`))).json()
    },
    async keys(ns, page) {
      const prefix = page.prefix === undefined ? undefined : percentEncode(page.prefix)
      const path = `${nsPath(ns)}/keys${query({ prefix, cursor: page.cursor, limit: page.limit })}`
      return (await found(await call('GET', path))).json() as Promise<{
        keys: KeyRowJson[]
        cursor: string | null
      }>
    },
    async entry(ns, key) {
      const response = await call('GET', entryPath(ns, key))
      if (response.status === 404) {
        const answer = (await response.json().catch(() => null)) as { error?: string } | null
        if (answer?.error === 'key not found') return null
        throw new HttpError(404, answer?.error ?? 'not found')
      }
      return response.json() as Promise<EntryJson>
    },
    async putEntry(ns, key, write: EntryWrite) {
      const response = await found(await call('PUT', entryPath(ns, key), write))
      return response.json()
    },
    async deleteEntry(ns, key) {
      const response = await call('DELETE', entryPath(ns, key))
      if (response.status !== 404) return true
      const answer = (await response.json().catch(() => null)) as { error?: string } | null
      if (answer?.error === 'key not found') return false
      throw new HttpError(404, answer?.error ?? 'not found')
    },
  }
}
