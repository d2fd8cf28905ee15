// Entries as the operator's tools show and take them: keys and values as text where they are
// UTF-8 (JSON where the entry is JSON), base64 otherwise; metadata as the JSON it holds.

import { Buffer } from 'node:buffer'
import { fromUtf8Strict, utf8 } from '../engine/bytes.ts'
import { inInt64, isFiniteDecimal } from '../engine/numbers.ts'
import type { Entry, EntryInfo, ValueInput, ValueKind } from '../engine/types.ts'
import { HttpError } from '../http/errors.ts'
import { isJson } from '../http/json-text.ts'

export interface KeyRowJson {
  /** UTF-8 text where the key is valid UTF-8, else base64. */
  key: string
  encoding: 'utf8' | 'base64'
  size: number
  kind: ValueKind
  version: number
  expires_at: string | null
  metadata: unknown
}

export interface EntryJson {
  key: string
  value: string
  encoding: 'text' | 'json' | 'base64'
  kind: ValueKind
  content_type: string | null
  version: number
  updated_at: string
  expires_at: string | null
  metadata: unknown
}

export interface EntryWrite {
  value: string
  encoding: 'text' | 'json' | 'base64'
  /** The value's kind; by default the stored entry's when the new value fits it, else by encoding. */
  kind?: ValueKind
  /** Any JSON; null removes it; absent keeps the stored entry's. */
  metadata?: unknown
  /** Seconds from now; without ttl or expires_at the entry never expires. */
  ttl?: number
  /** Milliseconds since the epoch. */
  expiresAt?: number
  /** Write only if the entry is at this version ('*': only if it exists). */
  ifMatch?: number | '*'
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const INTEGER = /^-?(0|[1-9][0-9]*)$/

/** A key as text when it is UTF-8, else as base64. */
export function keyText(key: Uint8Array): { key: string; encoding: 'utf8' | 'base64' } {
  const text = fromUtf8Strict(key)
  return text === null
    ? { key: Buffer.from(key).toString('base64'), encoding: 'base64' }
    : { key: text, encoding: 'utf8' }
}

/** Stored metadata is JSON text; what is not (written by hand into a store) is shown as that text. */
function metadataJson(metadata: string | null): unknown {
  if (metadata === null) return null
  try {
    return JSON.parse(metadata)
  } catch {
    return metadata
  }
}

export function keyRowJson(entry: EntryInfo & { value: Uint8Array }): KeyRowJson {
  return {
    ...keyText(entry.key),
    size: entry.value.length,
    kind: entry.kind,
    version: entry.version,
    expires_at: iso(entry.expiresAt),
    metadata: metadataJson(entry.metadata),
  }
}

export function entryJson(entry: Entry): EntryJson {
  const text = fromUtf8Strict(entry.value)
  const encoding = text === null ? 'base64' : entry.kind === 'json' && isJson(text) ? 'json' : 'text'
  return {
    key: keyText(entry.key).key,
    value: text ?? Buffer.from(entry.value).toString('base64'),
    encoding,
    kind: entry.kind,
    content_type: entry.contentType,
    version: entry.version,
    updated_at: iso(entry.updatedAt)!,
    expires_at: iso(entry.expiresAt),
    metadata: metadataJson(entry.metadata),
  }
}

/**
 * What to store for a write. The kind and content type stay the stored entry's where the new value
 * still fits them, so an edit leaves the dialect that wrote the entry reading it as before (a
 * counter stays a counter, JSON stays JSON).
 */
export function valueToStore(
  write: EntryWrite,
  current: Entry | null,
  jsonDialect: string | null = null,
): ValueInput {
  const bytes = bytesOf(write)
  if (jsonDialect !== null) {
    // The dialect hands its values back as the JSON text they are: anything else would break its answers.
    const text = fromUtf8Strict(bytes)
    if (text === null || !isJson(text) || (write.kind !== undefined && write.kind !== 'json')) {
      throw new HttpError(400, `${jsonDialect} values are JSON text`)
    }
    return {
      bytes,
      kind: 'json',
      contentType: 'application/json',
      metadata: metadataOf(write, current),
    }
  }
  if (write.kind !== undefined && !fits(write.kind, bytes)) {
    throw new HttpError(400, `the value is not of kind ${write.kind}`)
  }
  const byEncoding: ValueKind =
    write.encoding === 'json' ? 'json' : write.encoding === 'text' ? 'text' : 'bytes'
  const kind = write.kind ?? (current && fits(current.kind, bytes) ? current.kind : byEncoding)
  return {
    bytes,
    kind,
    contentType: current?.contentType ?? null,
    metadata: metadataOf(write, current),
  }
}

/** Absent: the stored entry's; null: none; else the JSON given. */
const metadataOf = (write: EntryWrite, current: Entry | null): string | null =>
  write.metadata === undefined
    ? (current?.metadata ?? null)
    : write.metadata === null
      ? null
      : JSON.stringify(write.metadata)

function bytesOf(write: EntryWrite): Uint8Array {
  switch (write.encoding) {
    case 'base64':
      if (!BASE64.test(write.value) || write.value.length % 4 === 1) {
        throw new HttpError(400, 'value is not base64')
      }
      return new Uint8Array(Buffer.from(write.value, 'base64'))
    case 'json':
      if (!isJson(write.value)) throw new HttpError(400, 'value is not JSON text')
      return utf8(write.value)
    case 'text':
      return utf8(write.value)
  }
}

function fits(kind: ValueKind, bytes: Uint8Array): boolean {
  if (kind === 'bytes') return true
  const text = fromUtf8Strict(bytes)
  if (text === null) return false
  switch (kind) {
    case 'text':
      return true
    case 'json':
      return isJson(text)
    case 'int':
      return INTEGER.test(text) && inInt64(BigInt(text))
    case 'float':
      return isFiniteDecimal(text)
  }
}
