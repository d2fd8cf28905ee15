// The JSON text of members and elements exactly as a client sent them, for dialects that must keep
// a value digit for digit (9001.50, integers beyond 2^53), which a JSON.parse round trip would lose.
// Every function but isJson takes text already known to be valid JSON (isJson or JSON.parse it
// first), so none of them needs error handling.

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const END_OF_LITERAL = new Set([',', '}', ']', ...WHITESPACE])

/** Whether text is valid JSON. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Member name -> that member's JSON text, of an object's JSON text (the last one wins, as in JSON.parse). */
export function memberTexts(text: string): Map<string, string> {
  const members = new Map<string, string>()
  let i = skipWhitespace(text, 0) + 1 // past '{'
  for (;;) {
    i = skipWhitespace(text, i)
    if (text[i] !== '"') return members // '}'
    const nameEnd = skipString(text, i)
    const name = JSON.parse(text.slice(i, nameEnd)) as string
    i = skipWhitespace(text, skipWhitespace(text, nameEnd) + 1) // past ':'
    const end = skipValue(text, i)
    members.set(name, text.slice(i, end))
    i = skipWhitespace(text, end)
    if (text[i] === ',') i++
  }
}

/** The JSON text of each element of an array's JSON text. */
export function elementTexts(text: string): string[] {
  const elements: string[] = []
  let i = skipWhitespace(text, 0) + 1 // past '['
  for (;;) {
    i = skipWhitespace(text, i)
    if (text[i] === ']' || i >= text.length) return elements
    const end = skipValue(text, i)
    elements.push(text.slice(i, end))
    i = skipWhitespace(text, end)
    if (text[i] === ',') i++
  }
}

/** JSON text without the whitespace outside strings, which JSON calls insignificant. */
export function minifyJson(text: string): string {
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
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
  return i + 1
}

/** The index just past the value starting at i, nested ones whole. */
function skipValue(text: string, i: number): number {
  const first = text[i]
  if (first === '"') return skipString(text, i)
  if (first === '{' || first === '[') {
    let depth = 0
    while (i < text.length) {
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
    return i
  }
  while (i < text.length && !END_OF_LITERAL.has(text[i]!)) i++
  return i
}
