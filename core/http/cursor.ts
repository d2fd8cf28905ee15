// The listing cursor every paged dialect hands out: the last key returned, as base64url text, so a
// client can carry it in a query string and the next page starts right after it.

import { Buffer } from 'node:buffer'

/** The cursor naming a key. */
export const encodeCursor = (key: Uint8Array): string => Buffer.from(key).toString('base64url')

/** The key a cursor names, or null when the text is no cursor this server could have handed out. */
export function decodeCursor(cursor: string, maxKeyBytes = Number.POSITIVE_INFINITY): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor) || cursor.length % 4 === 1) return null
  const key = new Uint8Array(Buffer.from(cursor, 'base64url'))
  return key.length === 0 || key.length > maxKeyBytes ? null : key
}
