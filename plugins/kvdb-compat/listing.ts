// Listing output: the format from ?format= or the Accept header, and the text, json and jsonl
// renderings of keys with or without their values.

import { concatBytes, fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import type { ScanEntry } from '../../core/engine/types.ts'
import { kvdbError } from './errors.ts'
import { valueAsJson } from './values.ts'

export type ListFormat = 'text' | 'json' | 'jsonl'

const CONTENT_TYPE: Record<ListFormat, string> = {
  text: 'text/plain; charset=utf-8',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
}

/** The format asked for; `jsonl` only through the parameter; an unknown one is 406. */
export function negotiateFormat(format: string | undefined, accept: string | null): ListFormat {
  if (format) {
    if (format === 'text' || format === 'json' || format === 'jsonl') return format
    throw kvdbError(406, `unsupported format ${JSON.stringify(format)}`)
  }
  return accept && /application\/json/i.test(accept) ? 'json' : 'text'
}

/** Answers a listing of keys (names only), e.g. script names, in the negotiated format. */
export function renderListing(entries: ScanEntry[], format: ListFormat, withValues: boolean): Response {
  return new Response(renderBody(entries, format, withValues), {
    headers: { 'content-type': CONTENT_TYPE[format] },
  })
}

function renderBody(entries: ScanEntry[], format: ListFormat, withValues: boolean): BodyInit {
  if (format === 'text') {
    // Keys and values are written as their bytes, with each newline escaped as the two characters \n.
    const parts: Uint8Array[] = []
    for (const entry of entries) {
      parts.push(escapeNewlines(entry.key))
      if (withValues) parts.push(EQUALS, escapeNewlines(entry.value ?? EMPTY))
      parts.push(NEWLINE)
    }
    return concatBytes(...parts) as Uint8Array<ArrayBuffer>
  }
  const items = entries.map((entry) => {
    const key = JSON.stringify(fromUtf8(entry.key))
    return withValues ? `[${key},${valueAsJson(entry.kind, entry.value ?? EMPTY)}]` : key
  })
  return format === 'json' ? `[${items.join(',')}]` : items.map((item) => `${item}\n`).join('')
}

const EMPTY = new Uint8Array(0)
const EQUALS = utf8('=')
const NEWLINE = utf8('\n')
const ESCAPED_NEWLINE = utf8('\\n')

function escapeNewlines(bytes: Uint8Array): Uint8Array {
  if (!bytes.includes(0x0a)) return bytes
  const parts: Uint8Array[] = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      parts.push(bytes.subarray(start, i), ESCAPED_NEWLINE)
      start = i + 1
    }
  }
  parts.push(bytes.subarray(start))
  return concatBytes(...parts)
}
