// Reading request bodies under a size limit: a declared Content-Length over the limit is refused
// before anything is read, and a body without one is counted as it streams, so an oversize body
// is never buffered whole.

import { fromUtf8, fromUtf8Strict } from '../engine/bytes.ts'
import { MalformedBodyError, PayloadTooLargeError } from './errors.ts'

export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (Number(declared) > limit) throw new PayloadTooLargeError(limit)
    return new Uint8Array(await request.arrayBuffer())
  }
  if (!request.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > limit) {
      await reader.cancel()
      throw new PayloadTooLargeError(limit)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

/** True when the declared length already exceeds the limit (the body has not been read). */
export function declaresMoreThan(request: Request, limit: number): boolean {
  const declared = request.headers.get('content-length')
  return declared !== null && Number(declared) > limit
}

// A leading byte order mark marks a body's encoding; it is not part of the JSON or form it carries
// (stored keys and values keep theirs: see engine/bytes.ts).
const withoutByteOrderMark = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/** The body as text, invalid UTF-8 replaced with U+FFFD. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  return withoutByteOrderMark(fromUtf8(await readBody(request, limit)))
}

/** The body as text, or null when it is not UTF-8. */
export async function readStrictBodyText(request: Request, limit: number): Promise<string | null> {
  const text = fromUtf8Strict(await readBody(request, limit))
  return text === null ? null : withoutByteOrderMark(text)
}

/**
 * The body parsed as JSON whatever its Content-Type (curl labels JSON as a form, and real clients
 * of several dialects rely on that working). An empty body is `undefined`.
 */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const text = await readBodyText(request, limit)
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new MalformedBodyError('body is not valid JSON')
  }
}
