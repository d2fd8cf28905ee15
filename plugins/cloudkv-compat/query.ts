// Query parameters as bytes, so a prefix may hold any byte (%FF) just as a key in the path may.

import { percentDecodeBytes } from '../../core/http/path.ts'

/** The first value of a query parameter, percent-decoded to bytes ("+" is a space), or null. */
export function queryBytes(url: string, name: string): Uint8Array | null {
  const start = url.indexOf('?')
  if (start === -1) return null
  const end = url.indexOf('#', start)
  const query = url.slice(start + 1, end === -1 ? undefined : end)
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=')
    const key = equals === -1 ? pair : pair.slice(0, equals)
    if (new TextDecoder().decode(percentDecodeBytes(key.replace(/\+/g, ' '))) !== name) continue
    return percentDecodeBytes(equals === -1 ? '' : pair.slice(equals + 1).replace(/\+/g, ' '))
  }
  return null
}
