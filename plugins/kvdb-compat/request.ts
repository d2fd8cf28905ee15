// Reading a KVdb request: where it points (bucket, sub-resource, key as raw bytes), its query
// parameters (kept as bytes too, since a listing prefix may be binary) and its form fields.

import { fromUtf8 } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import {
  encodedPairs,
  encodedQuery,
  formComponentBytes,
  percentDecodeBytes,
  rawPath,
} from '../../core/http/path.ts'
import { kvdbError } from './errors.ts'

export type Target =
  | { kind: 'root' }
  | { kind: 'bucket'; bucket: string }
  /** `name` is a reserved first segment (tokens, scripts); `rest` is the raw path after "name/". */
  | { kind: 'sub'; bucket: string; name: string; rest: string }
  | { kind: 'key'; bucket: string; key: Uint8Array }

/** A reserved first path segment below a bucket; nested ones also take names below them. */
export interface ReservedSegment {
  name: string
  nested: boolean
}

/** Where a request points, from its raw path below the mount prefix. */
export function targetOf(url: string, prefix: string, reserved: readonly ReservedSegment[]): Target {
  const path = rawPath(url).slice(prefix.length)
  if (path === '' || path === '/') return { kind: 'root' }
  const slash = path.indexOf('/', 1)
  const bucket = path.slice(1, slash === -1 ? undefined : slash)
  const rest = slash === -1 ? '' : path.slice(slash + 1)
  if (rest === '') return { kind: 'bucket', bucket }
  const segment = rest.indexOf('/') === -1 ? rest : rest.slice(0, rest.indexOf('/'))
  const sub = reserved.find((each) => each.name === segment)
  if (sub && (rest === segment || rest === `${segment}/` || sub.nested)) {
    return { kind: 'sub', bucket, name: segment, rest: rest.slice(segment.length + 1) }
  }
  return { kind: 'key', bucket, key: percentDecodeBytes(rest) }
}

/** Query parameters as sent: the first occurrence of each name wins. */
export class Query {
  private readonly raw: Map<string, string>

  constructor(url: string) {
    this.raw = encodedQuery(url)
  }

  has(name: string): boolean {
    return this.raw.has(name)
  }

  /** The parameter as text (invalid UTF-8 becomes U+FFFD), or undefined when absent. */
  text(name: string): string | undefined {
    const raw = this.raw.get(name)
    return raw === undefined ? undefined : fromUtf8(formComponentBytes(raw))
  }

  /** The parameter's bytes, or undefined when absent. */
  bytes(name: string): Uint8Array | undefined {
    const raw = this.raw.get(name)
    return raw === undefined ? undefined : formComponentBytes(raw)
  }
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
