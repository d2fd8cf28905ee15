// The exact JSON text of a body's "value" member, so values come back as sent: key order, unicode
// escapes and integers beyond 2^53 survive, which a JSON.parse / JSON.stringify round trip would lose.
// Only whitespace outside strings, which JSON calls insignificant, is dropped.

import { badRequest } from './errors.ts'

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const END_OF_LITERAL = new Set([',', '}', ']', ' ', '\t', '\n', '\r'])

/**
 * The body's fields parsed, and the raw text of its "value" member (the last one, as JSON.parse
 * keeps the last of duplicate names). Throws BAD_REQUEST for anything but a JSON object with "value".
 */
export function parseItemBody(text: string): { fields: Record<string, unknown>; valueText: string } {
  let fields: unknown
  try {
    fields = JSON.parse(text)
  } catch {
    throw badRequest('Request body is not valid JSON')
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw badRequest('Request body must be a JSON object')
  }
  if (!Object.hasOwn(fields, 'value')) throw badRequest('Request body must have a "value" field')
  return { fields: fields as Record<string, unknown>, valueText: minify(rawMember(text, 'value')!) }
}

/** The raw text of the last top-level member called `name` of a JSON object text already known to be valid. */
export function rawMember(text: string, name: string): string | undefined {
  let found: string | undefined
  let i = skipWhitespace(text, 0) + 1 // past '{'
  for (;;) {
    i = skipWhitespace(text, i)
    if (text[i] === '}') return found
    const nameEnd = skipString(text, i)
    const member = JSON.parse(text.slice(i, nameEnd)) as string
    i = skipWhitespace(text, nameEnd) + 1 // past ':'
    i = skipWhitespace(text, i)
    const end = skipValue(text, i)
    if (member === name) found = text.slice(i, end)
    i = skipWhitespace(text, end)
    if (text[i] === ',') i++
  }
}

/** JSON text without whitespace outside strings. */
export function minify(text: string): string {
  let out = ''
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === '"') {
      i = skipString(text, i) - 1
    } else if (WHITESPACE.has(char)) {
      out += text.slice(start, i)
      start = i + 1
    }
  }
  return out + text.slice(start)
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++
  return i
}

/** The index just past the string starting at i (text[i] is its opening quote). */
function skipString(text: string, i: number): number {
  i++
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1
  return i + 1
}

/** The index just past the value starting at i. */
function skipValue(text: string, i: number): number {
  const first = text[i]
  if (first === '"') return skipString(text, i)
  if (first === '{' || first === '[') {
    let depth = 0
    for (;;) {
      const char = text[i]
      if (char === '"') {
        i = skipString(text, i)
        continue
      }
      if (char === '{' || char === '[') depth++
      else if (char === '}' || char === ']') depth--
      i++
      if (depth === 0) return i
    }
  }
  while (i < text.length && !END_OF_LITERAL.has(text[i]!)) i++
  return i
}
