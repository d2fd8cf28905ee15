// The JSON text of values exactly as the client sent them: LightKV keeps a value's JSON text, so
// 9001.50 and 12345678901234567890 come back digit for digit, which JSON.parse alone would lose.

import { MalformedJsonError } from '../../core/http/body.ts'

/** A request body: its parsed value, and the raw text of each member when it is an object. */
export interface JsonBody {
  value: unknown
  /** Member name -> that member's JSON text (the last one wins, as in JSON.parse). */
  members: Map<string, string>
}

export function parseJsonBody(text: string): JsonBody {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MalformedJsonError('Request body is not valid JSON')
  }
  const members = new Map<string, string>()
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value, members }
  // The text is valid JSON holding an object, so the scanner below needs no error handling.
  const scan = new Scanner(text)
  scan.skip('{')
  while (!scan.at('}')) {
    const name = JSON.parse(scan.value()) as string
    scan.skip(':')
    members.set(name, scan.value())
    if (scan.at(',')) scan.skip(',')
  }
  return { value, members }
}

/** The JSON text of each element of an array's JSON text (which must be valid). */
export function arrayElements(text: string): string[] {
  const scan = new Scanner(text)
  const elements: string[] = []
  scan.skip('[')
  while (!scan.at(']')) {
    elements.push(scan.value())
    if (scan.at(',')) scan.skip(',')
  }
  return elements
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const VALUE_END = new Set([',', '}', ']', ...WHITESPACE])

class Scanner {
  private pos = 0

  constructor(private readonly text: string) {}

  /** Whether the next non-blank character is `char`. */
  at(char: string): boolean {
    this.blank()
    return this.text[this.pos] === char
  }

  skip(char: string): void {
    this.blank()
    if (this.text[this.pos] === char) this.pos++
  }

  /** The text of the next value, whatever it is, nested ones whole. */
  value(): string {
    this.blank()
    const start = this.pos
    const first = this.text[this.pos]
    if (first === '"') {
      this.string()
    } else if (first === '{' || first === '[') {
      let depth = 0
      do {
        const char = this.text[this.pos]
        if (char === '"') {
          this.string()
          continue
        }
        if (char === '{' || char === '[') depth++
        else if (char === '}' || char === ']') depth--
        this.pos++
      } while (depth > 0 && this.pos < this.text.length)
    } else {
      while (this.pos < this.text.length && !VALUE_END.has(this.text[this.pos]!)) this.pos++
    }
    return this.text.slice(start, this.pos)
  }

  private string(): void {
    this.pos++
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      this.pos += this.text[this.pos] === '\\' ? 2 : 1
    }
    this.pos++
  }

  private blank(): void {
    while (WHITESPACE.has(this.text[this.pos]!)) this.pos++
  }
}
