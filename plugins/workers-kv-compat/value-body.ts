// The body of a value write: raw bytes (whatever the Content-Type), or multipart with a `value`
// part and metadata as one JSON `metadata` part or as `metadata[a][b]` / `metadata[arr][]` parts.
// A declared length over the limit is refused before anything is read; an undeclared one is
// counted as it streams.

import { utf8 } from '../../core/engine/bytes.ts'
import { readBody } from '../../core/http/body.ts'
import { PayloadTooLargeError } from '../../core/http/errors.ts'
import { invalid } from './errors.ts'
import { MULTIPART_OVERHEAD, type WorkersKvOptions } from './options.ts'
import { checkValueSize, valueTooLarge } from './validate.ts'

export interface ValueBody {
  value: Uint8Array
  /** undefined when the write carries no metadata. */
  metadata: unknown
}

export async function readValueBody(request: Request, options: WorkersKvOptions): Promise<ValueBody> {
  const contentType = request.headers.get('content-type') ?? ''
  const declared = declaredLength(request)
  if (!/^multipart\/form-data/i.test(contentType)) {
    if (declared !== null && declared > options.maxValueBytes) throw valueTooLarge(declared, options)
    return { value: await readLimited(request, options.maxValueBytes, options), metadata: undefined }
  }
  const limit = options.maxValueBytes + options.maxMetadataBytes + MULTIPART_OVERHEAD
  if (declared !== null && declared > limit) throw valueTooLarge(null, options)
  const source =
    declared === null
      ? new Response((await readLimited(request, limit, options)) as Uint8Array<ArrayBuffer>, {
          headers: { 'content-type': contentType },
        })
      : request
  let form: FormData
  try {
    form = await source.formData()
  } catch {
    throw invalid('Malformed multipart body')
  }
  return parseForm(form, options)
}

async function parseForm(form: FormData, options: WorkersKvOptions): Promise<ValueBody> {
  const part = form.get('value')
  if (part === null) throw invalid('A multipart value write needs a "value" part')
  if (typeof part !== 'string') checkValueSize(part.size, options)
  const value = typeof part === 'string' ? utf8(part) : new Uint8Array(await part.arrayBuffer())
  checkValueSize(value.length, options)

  const json = form.get('metadata')
  if (json !== null) {
    const text = typeof json === 'string' ? json : await json.text()
    try {
      return { value, metadata: JSON.parse(text) }
    } catch {
      throw invalid('Metadata must be valid JSON')
    }
  }
  let metadata: Record<string, unknown> | undefined
  for (const [name, field] of form.entries()) {
    const path = bracketPath(name)
    if (!path) continue
    metadata ??= {}
    setPath(metadata, path, typeof field === 'string' ? field : await (field as Blob).text(), name)
  }
  return { value, metadata }
}

/** ["a", "b"] for "metadata[a][b]", ["arr", ""] for "metadata[arr][]", null for other names. */
function bracketPath(name: string): string[] | null {
  if (!/^metadata(\[[^[\]]*\])+$/.test(name)) return null
  return [...name.slice('metadata'.length).matchAll(/\[([^[\]]*)\]/g)].map((match) => match[1]!)
}

/** Puts a string leaf at a bracket path, building objects and arrays on the way. */
function setPath(root: Record<string, unknown>, path: string[], leaf: string, name: string): void {
  let node: unknown = root
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!
    const last = i === path.length - 1
    const fresh = last ? leaf : path[i + 1] === '' ? [] : {}
    if (segment === '') {
      if (!Array.isArray(node)) throw conflicting(name)
      node.push(fresh)
      node = fresh
      continue
    }
    if (typeof node !== 'object' || node === null || Array.isArray(node)) throw conflicting(name)
    const record = node as Record<string, unknown>
    const existing = Object.hasOwn(record, segment) ? record[segment] : undefined
    if (existing === undefined || last) {
      if (last && existing !== undefined && typeof existing !== 'string') throw conflicting(name)
      // defineProperty, so a "__proto__" segment is an ordinary key rather than a prototype change.
      Object.defineProperty(record, segment, {
        value: fresh,
        enumerable: true,
        writable: true,
        configurable: true,
      })
      node = fresh
    } else {
      if (typeof existing === 'string' || Array.isArray(existing) !== Array.isArray(fresh))
        throw conflicting(name)
      node = existing
    }
  }
}

const conflicting = (name: string) => invalid(`Metadata part "${name}" conflicts with another metadata part`)

function declaredLength(request: Request): number | null {
  const header = request.headers.get('content-length')
  if (header === null) return null
  const length = Number(header)
  return Number.isFinite(length) ? length : null
}

async function readLimited(request: Request, limit: number, options: WorkersKvOptions): Promise<Uint8Array> {
  try {
    return await readBody(request, limit)
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw valueTooLarge(null, options)
    throw error
  }
}
