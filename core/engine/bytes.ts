// Byte helpers: keys are bytes, compared bytewise; text appears only where a caller asks for it.

const encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF: stored keys and values are exact text, and a decoder left at its
// default drops it as a byte order mark, so a key "\uFEFFx" would be listed and answered as "x".
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/** Decodes UTF-8, replacing invalid sequences with U+FFFD; every character kept. */
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes)

/** Decodes UTF-8, or returns null when the bytes are not valid UTF-8. */
export function fromUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return null
  }
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const diff = a[i]! - b[i]!
    if (diff !== 0) return diff
  }
  return a.length - b.length
}

export function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

/**
 * The smallest byte string greater than every string that starts with prefix, or null when there
 * is none (an empty prefix, or one made only of 0xFF bytes): the exclusive upper bound of a prefix range.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1)
      end[i]! += 1
      return end
    }
  }
  return null
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
