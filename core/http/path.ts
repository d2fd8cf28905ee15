// Raw request paths: keys are bytes, so they are taken from the path as sent and percent-decoded
// to bytes (%FF is the byte 0xFF), never through a UTF-8 string decoder that would reject them.

/**
 * The path of a request URL exactly as received, without query or fragment. Bun hands over just the
 * request target as the URL when the Host header is missing or unusable.
 */
export function rawPath(url: string): string {
  const start = url.startsWith('/') ? 0 : url.indexOf('/', url.indexOf('://') + 3)
  if (start === -1) return '/'
  let end = url.length
  const query = url.indexOf('?', start)
  if (query !== -1) end = query
  const fragment = url.indexOf('#', start)
  if (fragment !== -1 && fragment < end) end = fragment
  return url.slice(start, end)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const HEX_DIGIT = /^[0-9a-fA-F]{2}$/

/** Percent-decodes to bytes; characters that are not escapes are taken as UTF-8. */
export function percentDecodeBytes(text: string): Uint8Array {
  if (!text.includes('%')) return encoder.encode(text)
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === '%' && HEX_DIGIT.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else {
      const code = text.codePointAt(i)!
      if (code > 0xffff) i++
      bytes.push(...encoder.encode(String.fromCodePoint(code)))
    }
  }
  return new Uint8Array(bytes)
}

/** The percent-decoded bytes of the raw path after a prefix (e.g. the key in /kv/{bucket}/{key}). */
export function pathBytesAfter(url: string, prefix: string): Uint8Array {
  return percentDecodeBytes(rawPath(url).slice(prefix.length))
}

/** Percent-decodes one query or urlencoded-form component to bytes, `+` being a space. */
export const formComponentBytes = (raw: string): Uint8Array => percentDecodeBytes(raw.replace(/\+/g, ' '))

/**
 * The pairs of a query string or urlencoded form ("a=1&b=%FF"): name (decoded as UTF-8 text, invalid
 * bytes as U+FFFD) -> value still encoded, for formComponentBytes. The first occurrence of a name wins.
 */
export function encodedPairs(encoded: string): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const pair of encoded.split('&')) {
    if (!pair) continue
    const equals = pair.indexOf('=')
    const name = decoder.decode(formComponentBytes(equals === -1 ? pair : pair.slice(0, equals)))
    if (!pairs.has(name)) pairs.set(name, equals === -1 ? '' : pair.slice(equals + 1))
  }
  return pairs
}

/** The query parameters of a URL as sent (see encodedPairs), so a parameter may hold any byte. */
export function encodedQuery(url: string): Map<string, string> {
  const start = url.indexOf('?')
  if (start === -1) return new Map()
  const end = url.indexOf('#', start)
  return encodedPairs(url.slice(start + 1, end === -1 ? undefined : end))
}
