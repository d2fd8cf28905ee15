// Raw request paths: keys are bytes, so they are taken from the path as sent and percent-decoded
// to bytes (%FF is the byte 0xFF), never through a UTF-8 string decoder that would reject them.

/** The path of a request URL exactly as received, without query or fragment. */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3)
  if (start === -1) return '/'
  let end = url.length
  const query = url.indexOf('?', start)
  if (query !== -1) end = query
  const fragment = url.indexOf('#', start)
  if (fragment !== -1 && fragment < end) end = fragment
  return url.slice(start, end)
}

const encoder = new TextEncoder()
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
