// What LightKV accepts: request bodies and query parameters, checked with valibot against the
// configured limits. Every failure is a BAD_REQUEST (or PAYLOAD_TOO_LARGE for a large value).

import * as v from 'valibot'
import { fromUtf8Strict, utf8 } from '../../core/engine/bytes.ts'
import type { Call } from '../../core/http/call.ts'
import { elementTexts } from '../../core/http/json-text.ts'
import { formComponentBytes } from '../../core/http/path.ts'
import { parseWith } from '../../core/http/validate.ts'
import { LightKvError } from './errors.ts'
import type { JsonBody } from './json-text.ts'
import type { LightKvOptions } from './options.ts'

const objectMessage: v.ErrorMessage<v.ObjectIssue> = (issue) =>
  issue.expected === 'Object' ? 'Request body must be a JSON object' : `${issue.expected} is required`

const Primitive = v.union([v.string(), v.number(), v.boolean(), v.null()])

/** The request schemas, for these limits. */
export function lightKvSchemas(options: LightKvOptions) {
  const Key = v.pipe(
    v.string('"key" must be a string'),
    v.nonEmpty('"key" must not be empty'),
    // A lone surrogate ("\ud800" in JSON) has no UTF-8 form: it would be stored as U+FFFD, under
    // the same key as every other lone surrogate and as U+FFFD itself.
    v.check((key) => key.isWellFormed(), '"key" must be Unicode text, without unpaired surrogates'),
    v.check(
      (key) => utf8(key).length <= options.maxKeyBytes,
      `"key" must be at most ${options.maxKeyBytes} bytes`,
    ),
  )
  // The item limit applies to the list as stored, after duplicates are dropped: the engine checks it.
  const Values = v.array(
    Primitive,
    '"values" must be an array of JSON primitives (string, number, boolean or null)',
  )
  return {
    Key,
    ItemWrite: v.object(
      {
        key: Key,
        value: v.union(
          Primitive.options,
          '"value" must be a JSON primitive (string, number, boolean or null)',
        ),
      },
      objectMessage,
    ),
    ListValues: v.object({ key: Key, values: Values }, objectMessage),
    ListKey: v.object({ key: Key }, objectMessage),
  }
}

const badRequest = (message: string) => new LightKvError('BAD_REQUEST', message)

export const validate = <T>(schema: v.GenericSchema<unknown, T>, input: unknown): T =>
  parseWith(schema, input, badRequest)

/** The JSON text of a member as sent, refused when longer than a value may be. */
export function valueText(body: JsonBody, member: string, options: LightKvOptions): string {
  const text = body.members.get(member)!
  checkValueSize(text, options)
  return text
}

/** The JSON text of each element of a "values" array as sent. */
export function valueTexts(body: JsonBody, options: LightKvOptions): string[] {
  const texts = elementTexts(body.members.get('values')!)
  for (const text of texts) checkValueSize(text, options)
  return texts
}

function checkValueSize(text: string, options: LightKvOptions): void {
  if (text.length > options.maxValueBytes / 3 && utf8(text).length > options.maxValueBytes) {
    throw new LightKvError('PAYLOAD_TOO_LARGE', `A value is larger than ${options.maxValueBytes} bytes`)
  }
}

/** The query parameters that name a key or a list element, whose text must be exactly what was sent. */
const TEXT_PARAMS = new Set(['key', 'value'])

/**
 * The query parameters. URLSearchParams turns bytes that are not UTF-8 into U+FFFD, so key=%FF
 * would read or delete the key "\ufffd": a key or value that is not UTF-8 is refused instead.
 */
export function queryOf(call: Call): URLSearchParams {
  // Only percent-escapes can carry bytes that are not UTF-8; most queries have none to check.
  if (call.rawQuery.includes('%')) {
    for (const [name, raw] of call.encodedQuery) {
      if (TEXT_PARAMS.has(name) && fromUtf8Strict(formComponentBytes(raw)) === null) {
        throw badRequest(`"${name}" query parameter is not valid UTF-8`)
      }
    }
  }
  return call.query
}

/** A required query parameter. */
export function param(query: URLSearchParams, name: string): string {
  const value = query.get(name)
  if (value === null) throw badRequest(`"${name}" query parameter is required`)
  return value
}

const INTEGER = /^-?\d+$/

/** A slice bound: an integer, or the fallback when absent. */
export function bound(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name)
  if (text === null) return fallback
  const value = Number(text)
  if (!INTEGER.test(text) || !Number.isSafeInteger(value)) {
    throw badRequest(`"${name}" must be an integer`)
  }
  return value
}

/**
 * The JSON texts a `value` query parameter matches: the parameter as a string, and the parameter
 * read as JSON when it is a primitive (so value=5 finds 5 and "5").
 */
export function candidates(value: string): string[] {
  const texts = [JSON.stringify(value)]
  try {
    const parsed: unknown = JSON.parse(value)
    if (parsed === null || typeof parsed !== 'object') texts.push(value)
  } catch {}
  return texts
}
