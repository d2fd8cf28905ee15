// Pure checks of what a client sends, each failing with the wording Cloudflare (and Miniflare's
// copy of it) uses, so clients that match on messages keep working.

import { utf8 } from '../../core/engine/bytes.ts'
import { LATEST_EXPIRY_MS } from '../../core/engine/engine.ts'
import { invalid } from './errors.ts'
import type { WorkersKvOptions } from './options.ts'

export const illegalKeyName = (name: string) =>
  invalid(`Illegal key name "${name}". Please use a different name.`)

/** Checks a key name; `inPath` keys that are too long answer 414 (URI too long), others 400. */
export function checkKey(key: Uint8Array, options: WorkersKvOptions, inPath = true): Uint8Array {
  if (key.length === 0) throw invalid('Key names must not be empty')
  if ((key.length === 1 && key[0] === 0x2e) || (key.length === 2 && key[0] === 0x2e && key[1] === 0x2e)) {
    throw illegalKeyName('.'.repeat(key.length))
  }
  if (key.length > options.maxKeyBytes) {
    throw invalid(
      `UTF-8 encoded length of ${key.length} exceeds key length limit of ${options.maxKeyBytes}.`,
      inPath ? 414 : 400,
    )
  }
  return key
}

export const valueTooLarge = (length: number | null, options: WorkersKvOptions) =>
  invalid(
    length === null
      ? `Value length exceeds limit of ${options.maxValueBytes}.`
      : `Value length of ${length} exceeds limit of ${options.maxValueBytes}.`,
    413,
  )

export function checkValueSize(length: number, options: WorkersKvOptions): void {
  if (length > options.maxValueBytes) throw valueTooLarge(length, options)
}

/** Serializes metadata and checks its size; undefined and null mean "no metadata". */
export function metadataText(metadata: unknown, options: WorkersKvOptions): string | null {
  if (metadata === undefined || metadata === null) return null
  let text: string
  try {
    text = JSON.stringify(metadata)
  } catch (error) {
    // JSON.parse takes nesting deeper than JSON.stringify can write back; thousands of levels are
    // far over the limit anyway.
    if (error instanceof RangeError)
      throw invalid(`Metadata length exceeds limit of ${options.maxMetadataBytes}.`, 413)
    throw error
  }
  // 1e400 parses as Infinity, which serializes as null: no metadata, as for null itself.
  if (text === 'null') return null
  const length = utf8(text).length
  if (length > options.maxMetadataBytes) {
    throw invalid(`Metadata length of ${length} exceeds limit of ${options.maxMetadataBytes}.`, 413)
  }
  return text
}

/**
 * The engine's latest expiry (the end of 9999) in unix seconds, checked here too so that the answer
 * names the field the way Cloudflare does.
 */
const LATEST_EXPIRATION = Math.floor(LATEST_EXPIRY_MS / 1000)

/**
 * The absolute expiry in milliseconds from `expiration` (unix seconds) or `expiration_ttl`
 * (seconds), as query text or JSON numbers. expiration_ttl wins when both are given; neither is null.
 */
export function expiryOf(
  expiration: unknown,
  expirationTtl: unknown,
  nowMs: number,
  options: WorkersKvOptions,
): number | null {
  const nowSeconds = Math.floor(nowMs / 1000)
  const min = options.minTtlSeconds
  if (isGiven(expirationTtl)) {
    const ttl = integerOf(expirationTtl)
    if (ttl === null || ttl <= 0) {
      throw invalid(
        `Invalid expiration_ttl of ${shown(expirationTtl)}. Please specify integer greater than 0.`,
      )
    }
    if (ttl < min) {
      throw invalid(
        `Invalid expiration_ttl of ${shown(expirationTtl)}. Expiration TTL must be at least ${min}.`,
      )
    }
    if (nowSeconds + ttl > LATEST_EXPIRATION) {
      throw invalid(
        `Invalid expiration_ttl of ${shown(expirationTtl)}. Expiration times must be before the year 10000.`,
      )
    }
    return (nowSeconds + ttl) * 1000
  }
  if (isGiven(expiration)) {
    const at = integerOf(expiration)
    if (at === null) {
      throw invalid(
        `Invalid expiration of ${shown(expiration)}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
      )
    }
    if (at < nowSeconds + min) {
      throw invalid(
        `Invalid expiration of ${shown(expiration)}. Expiration times must be at least ${min} seconds in the future.`,
      )
    }
    if (at > LATEST_EXPIRATION) {
      throw invalid(
        `Invalid expiration of ${shown(expiration)}. Expiration times must be before the year 10000.`,
      )
    }
    return at * 1000
  }
  return null
}

const isGiven = (value: unknown) => value !== undefined && value !== null && value !== ''

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** A safe integer from a JSON number or from decimal text, else null. */
function integerOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null
  if (typeof value === 'string' && /^[+-]?\d{1,16}$/.test(value.trim())) {
    const parsed = Number(value.trim())
    return Number.isSafeInteger(parsed) ? parsed : null
  }
  return null
}

/** A positive integer query parameter with a default, or a 400 naming the parameter. */
export function pageParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = query.get(name)
  if (text === null || text === '') return fallback
  const value = integerOf(text)
  if (value === null || value < 1 || value > max) {
    throw invalid(
      max === Number.MAX_SAFE_INTEGER
        ? `Invalid ${name} of ${text}. Please specify an integer greater than 0.`
        : `Invalid ${name} of ${text}. Please specify an integer from 1 to ${max}.`,
    )
  }
  return value
}

/** The keys list `limit`, worded as upstream words it. */
export function keyCountLimit(query: URLSearchParams, max: number): number {
  const text = query.get('limit')
  if (text === null || text === '') return max
  const value = integerOf(text)
  if (value === null || value < 1) {
    throw invalid(`Invalid key_count_limit of ${text}. Please specify an integer greater than 0.`)
  }
  if (value > max)
    throw invalid(`Invalid key_count_limit of ${text}. Please specify an integer less than ${max}.`)
  return value
}
