// Reading a KVdb request beyond its path: query parameters (a listing prefix as bytes, since it may
// be binary) and the form fields of bucket, policy and token bodies.

import { fromUtf8 } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import { encodedPairs, formComponentBytes } from '../../core/http/path.ts'
import { kvdbError } from './errors.ts'

/** A query parameter as text (its first occurrence; invalid UTF-8 as U+FFFD), or undefined when absent. */
export const queryText = (call: Call, name: string): string | undefined => call.query.get(name) ?? undefined

/** A query parameter's bytes as sent (`+` is a space), or undefined when absent. */
export function queryBytes(call: Call, name: string): Uint8Array | undefined {
  const raw = call.encodedQuery.get(name)
  return raw === undefined ? undefined : formComponentBytes(raw)
}

/** Form fields of a urlencoded or multipart body (a body without Content-Type is read as urlencoded). */
export async function readForm(request: Request, limit: number): Promise<Record<string, string>> {
  const body = await readBody(request, limit)
  const type = request.headers.get('content-type') ?? ''
  const fields: Record<string, string> = {}
  if (/^multipart\/form-data/i.test(type)) {
    let form: FormData
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, {
        headers: { 'content-type': type },
      }).formData()
    } catch {
      throw kvdbError(400, 'malformed form body')
    }
    for (const [name, value] of form.entries()) {
      if (name in fields) continue
      fields[name] = typeof value === 'string' ? value : await (value as Blob).text()
    }
    return fields
  }
  for (const [name, raw] of encodedPairs(fromUtf8(body))) fields[name] = fromUtf8(formComponentBytes(raw))
  return fields
}
