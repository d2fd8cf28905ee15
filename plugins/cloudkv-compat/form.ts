// Bucket forms: multipart/form-data (what newman and browsers send) or urlencoded (curl -d), with
// the query string as a fallback for each field (the saved Create Bucket example passes `access`
// there).

import { fromUtf8 } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import type { Call } from '../../core/http/call.ts'
import { HttpError } from '../../core/http/errors.ts'

export interface FormFields {
  get(name: string): string | undefined
  has(name: string): boolean
}

export async function readForm(call: Call, limit: number): Promise<FormFields> {
  const { request } = call
  const body = await readBody(request, limit)
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  const fields = new Map<string, string>()
  const keep = (name: string, value: unknown) => {
    if (typeof value === 'string' && !fields.has(name)) fields.set(name, value)
  }
  if (body.length > 0) {
    if (type === 'multipart/form-data') {
      let form: FormData
      try {
        form = await new Response(body as Uint8Array<ArrayBuffer>, {
          headers: { 'content-type': request.headers.get('content-type')! },
        }).formData()
      } catch {
        throw new HttpError(400, 'form not parseable')
      }
      for (const [name, value] of form) keep(name, value)
    } else if (type === '' || type === 'application/x-www-form-urlencoded') {
      for (const [name, value] of new URLSearchParams(fromUtf8(body))) keep(name, value)
    } else {
      throw new HttpError(400, 'form not parseable: send multipart/form-data or x-www-form-urlencoded')
    }
  }
  const { query } = call
  return {
    get: (name) => fields.get(name) ?? query.get(name) ?? undefined,
    has: (name) => fields.has(name) || query.has(name),
  }
}
