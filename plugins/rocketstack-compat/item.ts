// Items as RocketStack shows them: the key the route names, and the {"data": ...} bodies with the
// value's JSON text spliced in unchanged.

import { fromUtf8Strict } from '../../core/engine/bytes.ts'
import { badRequest } from './errors.ts'

export interface ItemKey {
  bytes: Uint8Array
  /** The key as text, for answers and messages. */
  text: string
}

/** The key of a route's path remainder (already percent-decoded once); keys are UTF-8 text of 1 to maxBytes bytes. */
export function itemKey(bytes: Uint8Array, maxBytes: number): ItemKey {
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
