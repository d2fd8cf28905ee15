// Canonical forms of JSON primitives, so that list elements compare by JSON value equality:
// 1, 1.0 and 1e0 are one value, "1" is another, and large integers keep every digit.

import type { ListElement } from './backend.ts'
import { InvalidError } from './errors.ts'

const NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

/** The canonical form of the JSON text of a primitive (string, number, boolean or null). */
export function canonicalPrimitive(text: string): string {
  const trimmed = text.trim()
  if (trimmed === 'true' || trimmed === 'false' || trimmed === 'null') return trimmed
  if (trimmed.startsWith('"')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      throw new InvalidError('json', 'not a JSON primitive')
    }
    return `s${JSON.stringify(parsed)}`
  }
  const match = NUMBER.exec(trimmed)
  if (!match) throw new InvalidError('json', 'not a JSON primitive')
  return canonicalNumber(match[1]!, match[2]!, match[3] ?? '', Number(match[4] ?? 0))
}

/** Exact decimal normal form 0.DIGITS x 10^EXP, with no leading or trailing zeros. */
function canonicalNumber(sign: string, integer: string, fraction: string, exponent: number): string {
  const digits = integer + fraction
  const leading = digits.length - digits.replace(/^0+/, '').length
  const significant = digits.slice(leading).replace(/0+$/, '')
  if (significant === '') return 'n0'
  const scale = integer.length - leading + exponent
  return `n${sign}${significant}e${scale}`
}

/** List elements in order, keeping the first occurrence of each value. */
export function uniqueElements(values: string[]): ListElement[] {
  const seen = new Set<string>()
  const elements: ListElement[] = []
  for (const text of values) {
    const canon = canonicalPrimitive(text)
    if (seen.has(canon)) continue
    seen.add(canon)
    elements.push({ canon, text })
  }
  return elements
}
