// The JSON text of values exactly as the client sent them: LightKV keeps a value's JSON text, so
// 9001.50 and 12345678901234567890 come back digit for digit, which JSON.parse alone would lose.

import { memberTexts } from '../../core/http/json-text.ts'
import { LightKvError } from './errors.ts'

/** A request body: its parsed value, and the raw text of each member when it is an object. */
export interface JsonBody {
  value: unknown
  /** Member name -> that member's JSON text (the last one wins, as in JSON.parse). */
  members: Map<string, string>
}

export function parseJsonBody(text: string): JsonBody {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new LightKvError('BAD_REQUEST', 'Request body is not valid JSON')
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { value, members: new Map() }
  return { value, members: memberTexts(text) }
}
