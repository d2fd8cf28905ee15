// The exact JSON text of a body's "value" member, so values come back as sent: key order, unicode
// escapes and integers beyond 2^53 survive, which a JSON.parse / JSON.stringify round trip would lose.
// Only whitespace outside strings, which JSON calls insignificant, is dropped.

import { memberTexts, minifyJson } from '../../core/http/json-text.ts'
import { badRequest } from './errors.ts'

/**
 * The body's fields parsed, and the raw text of its "value" member (the last one, as JSON.parse
 * keeps the last of duplicate names). Throws BAD_REQUEST for anything but a JSON object with "value".
 */
export function parseItemBody(text: string): { fields: Record<string, unknown>; valueText: string } {
  let fields: unknown
  try {
    fields = JSON.parse(text)
  } catch {
    throw badRequest('Request body is not valid JSON')
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw badRequest('Request body must be a JSON object')
  }
  if (!Object.hasOwn(fields, 'value')) throw badRequest('Request body must have a "value" field')
  return { fields: fields as Record<string, unknown>, valueText: minifyJson(memberTexts(text).get('value')!) }
}
