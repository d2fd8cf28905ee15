// Items as RocketStack shows them: the key from the path, the {"data": ...} bodies with the value's
// JSON text spliced in unchanged, and the list cursor.

import { fromUtf8Strict } from '../../core/engine/bytes.ts'
import { pathBytesAfter } from '../../core/http/path.ts'
import { badRequest } from './errors.ts'

export interface ItemKey {
  bytes: Uint8Array
  /** The key as text, for answers and messages. */
  text: string
}

/** Everything after `base` in the raw path, percent-decoded once; keys are UTF-8 text of 1 to maxBytes bytes. */
export function itemKey(url: string, base: string, maxBytes: number): ItemKey {
  const bytes = pathBytesAfter(url, base)
  if (bytes.length === 0) throw badRequest('Key must not be empty')
  if (bytes.length > maxBytes) throw badRequest(`Key is longer than ${maxBytes} bytes`)
  const text = fromUtf8Strict(bytes)
  if (text === null) throw badRequest('Key must be valid UTF-8')
  return { bytes, text }
}

export const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** {"key", "value", "version", "expiresAt"} with the value's stored JSON text as is. */
export function itemJson(key: string, valueText: string, version: number, expiresAt: number | null): string {
  return `{"key":${JSON.stringify(key)},"value":${valueText},"version":"${version}","expiresAt":${JSON.stringify(isoTime(expiresAt))}}`
}

export function dataResponse(dataJson: string, headers: Record<string, string> = {}): Response {
  return new Response(`{"data":${dataJson}}`, {
    headers: { 'content-type': 'application/json;charset=utf-8', ...headers },
  })
}

export const etag = (version: number) => `"${version}"`

/** The list cursor: the last key returned, base64url-encoded. */
export function encodeCursor(key: Uint8Array): string {
  let binary = ''
  for (const byte of key) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function decodeCursor(cursor: string, maxBytes: number): Uint8Array {
  let binary: string
  try {
    binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))
  } catch {
    throw badRequest('cursor is not valid')
  }
  if (binary.length === 0 || binary.length > maxBytes) throw badRequest('cursor is not valid')
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}
