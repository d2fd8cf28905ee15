// KVdb values: the kind detected on every write (int, float, json, text, bytes), how each kind is
// answered on GET and embedded in JSON listings, and the counter and key rules.

import { fromUtf8, fromUtf8Strict, startsWith, utf8 } from '../../core/engine/bytes.ts'
import { inInt64, isFiniteDecimal } from '../../core/engine/numbers.ts'
import type { ValueInput, ValueKind } from '../../core/engine/types.ts'
import { isJson } from '../../core/http/json-text.ts'
import { kvdbError } from './errors.ts'

const INT = /^[+-]?[0-9]+$/
/** The one spelling of each int64 (no sign on positives, no leading zeros, no -0). */
const CANONICAL_INT = /^(0|-?[1-9][0-9]*)$/
const JSON_TYPE = /^application\/json\s*(;|$)/i

/** The kind of a value written as raw bytes, with the request's Content-Type. */
export function detectKind(bytes: Uint8Array, contentType: string | null): ValueKind {
  // Numbers are short; longer bodies need not be decoded to rule them out.
  if (bytes.length <= 400) {
    const text = fromUtf8(bytes)
    // An int spelled otherwise (+1, 007) keeps its bytes but counts as a float, so every backend
    // reads it the same way (Redis's exact int64 arithmetic takes canonical digits only).
    if (CANONICAL_INT.test(text) && inInt64(BigInt(text))) return 'int'
    if (isFiniteDecimal(text)) return 'float'
  }
  const text = fromUtf8Strict(bytes)
  if (text === null) return 'bytes'
  if (contentType && JSON_TYPE.test(contentType) && isJson(text)) return 'json'
  return 'text'
}

export function rawValue(bytes: Uint8Array, contentType: string | null): ValueInput {
  return { bytes, kind: detectKind(bytes, contentType) }
}

/** A transaction's `value` other than a number: a string is stored like a raw body, anything else as JSON. */
export function jsonValue(value: unknown): ValueInput {
  if (typeof value === 'string') return rawValue(utf8(value), null)
  return { bytes: utf8(JSON.stringify(value)), kind: 'json' }
}

/** A transaction's number `value`, from its JSON text as sent: int when it is an int64, else float64. */
export function numberValue(text: string): ValueInput {
  const value = rawValue(utf8(text), null)
  if (value.kind !== 'int' && value.kind !== 'float') throw kvdbError(400, `${text} is not a float64`)
  return value
}

/** Content-Type of a stored value on GET. */
export function contentTypeOf(kind: ValueKind, bytes: Uint8Array): string {
  if (kind === 'json') return 'application/json'
  if (kind === 'bytes' && fromUtf8Strict(bytes) === null) return 'application/octet-stream'
  return 'text/plain; charset=utf-8'
}

/** A stored value as JSON text: numbers as numbers, json values embedded, others as strings. */
export function valueAsJson(kind: ValueKind, bytes: Uint8Array): string {
  const text = fromUtf8(bytes)
  try {
    if (kind === 'int') return BigInt(text.trim()).toString()
    if (kind === 'float') return JSON.stringify(Number(text))
    // Re-serialised so a json value never spans lines (jsonl needs one entry per line).
    if (kind === 'json') return JSON.stringify(JSON.parse(text))
  } catch {
    // A value whose kind does not parse (never written by this dialect) is shown as a string.
  }
  return JSON.stringify(text)
}

/** A counter update body: `+N`, `-N` or bare `N`; an integer is int64, anything else float64. */
export function parseDelta(body: string): bigint | number {
  const text = body.trim()
  if (INT.test(text)) {
    const delta = BigInt(text)
    if (!inInt64(delta)) throw kvdbError(400, 'counter delta out of range')
    return delta
  }
  if (isFiniteDecimal(text)) return Number(text)
  throw kvdbError(400, 'counter update must be +N or -N')
}

// The sub-resources below a bucket, as bytes once: every key of every request is checked against them.
const RESERVED = ['tokens', 'scripts'].map((name) => [name, utf8(name)] as const)

/** Refuses keys that are empty, too long, or reserved for sub-resources (400). */
export function checkKey(key: Uint8Array, maxKeyBytes: number): void {
  if (key.length === 0) throw kvdbError(400, 'key must not be empty')
  if (key.length > maxKeyBytes) throw kvdbError(400, `key is longer than ${maxKeyBytes} bytes`)
  for (const [name, reserved] of RESERVED) {
    if (startsWith(key, reserved) && (key.length === reserved.length || key[reserved.length] === 0x2f)) {
      throw kvdbError(400, `keys named ${name} or starting with ${name}/ are reserved`)
    }
  }
}

/** `ttl` in seconds: an integer >= 0 (0 = never), up to 100 years. */
export function parseTtl(text: string): number {
  if (!/^[0-9]{1,12}$/.test(text) || Number(text) > MAX_TTL_SECONDS) throw kvdbError(400, 'invalid ttl')
  return Number(text)
}

export const MAX_TTL_SECONDS = 100 * 365 * 24 * 3600

/** Engine expiry options from a ttl in seconds (0 = never expires). */
export const expiryOf = (ttlSeconds: number) =>
  ttlSeconds === 0 ? { expiresAt: null } : { ttlMs: ttlSeconds * 1000 }
