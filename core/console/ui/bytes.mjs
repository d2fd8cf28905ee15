// Bytes in the browser: keys and values travel as UTF-8 text or base64, are shown as text or hex,
// and a key goes into a URL as its percent-encoded bytes (so a key that is not UTF-8 can be asked for).

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true })

/** @param {string} text */
export const utf8Bytes = (text) => encoder.encode(text)

/**
 * The text these bytes spell in UTF-8, or null when they are not UTF-8.
 * @param {Uint8Array} bytes
 */
export function utf8Text(bytes) {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return null
  }
}

/** @param {string} base64 */
export function base64Bytes(base64) {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
}

/** @param {Uint8Array} bytes */
export function bytesBase64(bytes) {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * Every byte that is not an unreserved character as %XX: for UTF-8 the same as encodeURIComponent.
 * @param {Uint8Array} bytes
 */
export function percentEncode(bytes) {
  let out = ''
  for (const byte of bytes) {
    const char = String.fromCharCode(byte)
    out +=
      byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * The bytes a percent-encoded text stands for (any %XX, UTF-8 or not).
 * @param {string} text
 */
export function percentDecode(text) {
  /** @type {number[]} */
  const out = []
  for (let index = 0; index < text.length; index++) {
    const hex = text.slice(index + 1, index + 3)
    if (text[index] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16))
      index += 2
    } else {
      out.push(...encoder.encode(text[index]))
    }
  }
  return Uint8Array.from(out)
}

/**
 * Sixteen bytes a line: offset, hex, and the printable ASCII beside them.
 * @param {Uint8Array} bytes
 */
export function hexDump(bytes) {
  const lines = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16)
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')
    const ascii = [...row]
      .map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.'))
      .join('')
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`)
  }
  return lines.join('\n')
}

/**
 * Hex digits in pairs, sixteen bytes a line: what the hex editor shows.
 * @param {Uint8Array} bytes
 */
export function hexText(bytes) {
  const lines = []
  for (let offset = 0; offset < bytes.length; offset += 16) {
    lines.push(
      [...bytes.subarray(offset, offset + 16)].map((byte) => byte.toString(16).padStart(2, '0')).join(' '),
    )
  }
  return lines.join('\n')
}

/**
 * The bytes of hex digits (spaces and line breaks ignored); throws on anything else.
 * @param {string} text
 */
export function hexBytes(text) {
  const digits = text.replace(/\s+/g, '')
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error('hex must be pairs of digits 0-9 and a-f')
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
}
