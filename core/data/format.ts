// The dump format's lines (docs/data-format.md): how export writes each record as one JSON line, and
// how import checks and reads one back, with valibot at this edge.

import { Buffer } from 'node:buffer'
import * as v from 'valibot'
import { fromUtf8Strict, utf8 } from '../engine/bytes.ts'
import { type Entry, VALUE_KINDS } from '../engine/types.ts'

export const FORMAT = 'kvgate-dump'
/** The format version this kvgate writes, and the newest it reads. */
export const FORMAT_VERSION = 1

export type Consistency = 'snapshot' | 'fence' | 'none'

export interface Header {
  format: typeof FORMAT
  version: number
  id: string
  created: number
  kvgate: string
  store: string
  consistency: Consistency
  filter: { dialect?: string; namespace?: string }
}

export interface CredentialLine {
  id: string
  role: string
  hash: string
}

export interface AccountLine {
  type: 'account'
  id: string
  dialect: string
  name: string | null
  created: number
  credentials: Record<string, CredentialLine>
}

export interface NamespaceLine {
  type: 'namespace'
  id: string
  dialect: string
  owner: string | null
  title: string | null
  settings: Record<string, unknown>
  created: number
}

export interface ListLine {
  key: Uint8Array
  items: string[]
}

export interface EndLine {
  type: 'end'
  entries: number
  lists: number
  consistent?: false
}

export interface Totals {
  accounts: number
  namespaces: number
  entries: number
  lists: number
}

/** A line as read back: entries and lists with their bytes decoded. */
export type DumpLine =
  | AccountLine
  | NamespaceLine
  | { type: 'entry'; entry: Entry }
  | ({ type: 'list' } & ListLine)
  | EndLine
  | { type: 'discard' }
  | { type: 'side'; suffix: string }
  | ({ type: 'done' } & Totals)

// --- Writing ---

/** Text when the bytes are valid UTF-8 (what most keys and values are), base64 otherwise. */
function bytesField(name: string, bytes: Uint8Array): Record<string, string> {
  const text = fromUtf8Strict(bytes)
  return text === null ? { [`${name}_b64`]: Buffer.from(bytes).toString('base64') } : { [name]: text }
}

export const line = (value: unknown): string => `${JSON.stringify(value)}\n`

export function entryLine(entry: Entry): string {
  return line({
    type: 'entry',
    ...bytesField('key', entry.key),
    ...bytesField('value', entry.value),
    kind: entry.kind,
    content_type: entry.contentType,
    metadata: entry.metadata,
    version: entry.version,
    updated: entry.updatedAt,
    expires: entry.expiresAt,
  })
}

export function listLine(key: Uint8Array, items: string[]): string {
  return line({ type: 'list', ...bytesField('key', key), items })
}

// --- Reading ---

const ms = v.pipe(v.number(), v.safeInteger())
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const nullableText = v.nullable(v.string())
const keyFields = { key: v.optional(v.string()), key_b64: v.optional(v.string()) }

const HeaderSchema = v.object({
  format: v.literal(FORMAT),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  created: ms,
  kvgate: v.optional(v.string(), ''),
  store: v.optional(v.string(), ''),
  consistency: v.optional(v.picklist(['snapshot', 'fence', 'none']), 'none'),
  filter: v.optional(v.object({ dialect: v.optional(v.string()), namespace: v.optional(v.string()) }), {}),
})

const LineSchema = v.variant('type', [
  v.object({
    type: v.literal('account'),
    id: v.string(),
    dialect: v.string(),
    name: nullableText,
    created: ms,
    credentials: v.record(v.string(), v.object({ id: v.string(), role: v.string(), hash: v.string() })),
  }),
  v.object({
    type: v.literal('namespace'),
    id: v.string(),
    dialect: v.string(),
    owner: nullableText,
    title: nullableText,
    settings: v.record(v.string(), v.unknown()),
    created: ms,
  }),
  v.object({
    type: v.literal('entry'),
    ...keyFields,
    value: v.optional(v.string()),
    value_b64: v.optional(v.string()),
    kind: v.picklist(VALUE_KINDS),
    content_type: nullableText,
    metadata: nullableText,
    version: v.pipe(count, v.minValue(1)),
    updated: ms,
    expires: v.nullable(ms),
  }),
  v.object({ type: v.literal('list'), ...keyFields, items: v.array(v.string()) }),
  v.object({
    type: v.literal('end'),
    entries: count,
    lists: count,
    consistent: v.optional(v.literal(false)),
  }),
  v.object({ type: v.literal('discard') }),
  v.object({ type: v.literal('side'), suffix: v.pipe(v.string(), v.regex(/^[a-z]{1,32}$/)) }),
  v.object({ type: v.literal('done'), accounts: count, namespaces: count, entries: count, lists: count }),
])

/** A line that is not what the format says, with its line number. */
export class DumpError extends Error {}

const problem = (issues: v.BaseIssue<unknown>[]) =>
  issues.map((issue) => `${v.getDotPath(issue) ?? 'line'}: ${issue.message}`).join('; ')

function parseJson(text: string, lineNumber: number): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new DumpError(`line ${lineNumber}: not JSON`)
  }
}

/** The header, refusing a dump of a newer format version before anything is written. */
export function readHeader(text: string, writer: string): Header {
  const json = parseJson(text, 1) as { format?: unknown; version?: unknown }
  if (json?.format !== FORMAT)
    throw new DumpError('line 1: not a kvgate dump (no "format":"kvgate-dump" header)')
  if (typeof json.version === 'number' && json.version > FORMAT_VERSION) {
    throw new DumpError(
      `this dump is format version ${json.version}; kvgate ${writer} reads format version ${FORMAT_VERSION} and older: import it with a newer kvgate`,
    )
  }
  const parsed = v.safeParse(HeaderSchema, json)
  if (!parsed.success) throw new DumpError(`line 1: ${problem(parsed.issues)}`)
  return parsed.output as Header
}

function bytesOf(fields: Record<string, unknown>, name: string, lineNumber: number): Uint8Array {
  const text = fields[name]
  const base64 = fields[`${name}_b64`]
  if (typeof text === 'string' && base64 === undefined) return utf8(text)
  if (typeof base64 === 'string' && text === undefined) return new Uint8Array(Buffer.from(base64, 'base64'))
  throw new DumpError(`line ${lineNumber}: needs exactly one of "${name}" and "${name}_b64"`)
}

export function readLine(text: string, lineNumber: number): DumpLine {
  const parsed = v.safeParse(LineSchema, parseJson(text, lineNumber))
  if (!parsed.success) throw new DumpError(`line ${lineNumber}: ${problem(parsed.issues)}`)
  const fields = parsed.output
  switch (fields.type) {
    case 'entry':
      return {
        type: 'entry',
        entry: {
          key: bytesOf(fields, 'key', lineNumber),
          value: bytesOf(fields, 'value', lineNumber),
          kind: fields.kind,
          contentType: fields.content_type,
          metadata: fields.metadata,
          version: fields.version,
          updatedAt: fields.updated,
          expiresAt: fields.expires,
        },
      }
    case 'list':
      return { type: 'list', key: bytesOf(fields, 'key', lineNumber), items: fields.items }
    default:
      return fields as DumpLine
  }
}
