// Counter arithmetic shared by the backends that compute in TypeScript: int64 stays int64,
// anything with a float becomes float64, and the stored text is the canonical decimal of the result.

import type { IncrementDelta } from './backend.ts'
import { TypeMismatchError } from './errors.ts'
import type { ValueKind } from './types.ts'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Whether an integer fits a signed 64-bit counter. */
export const inInt64 = (value: bigint): boolean => value >= INT64_MIN && value <= INT64_MAX

/** A decimal literal, as the dialects that count (KVdb) take a float: no hex, no spaces, no Infinity. */
const DECIMAL = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/

/** Whether text is a decimal literal of a finite float64. */
export const isFiniteDecimal = (text: string): boolean => DECIMAL.test(text) && Number.isFinite(Number(text))

export interface NumberValue {
  kind: 'int' | 'float'
  value: bigint | number
  text: string
}

/** Text of a float64 as JavaScript prints it (shortest round-trip form). */
export const formatFloat = (value: number): string => String(value)

/** Adds delta to a stored value (null = missing = 0). */
export function addToStored(
  stored: { kind: ValueKind; text: string } | null,
  delta: IncrementDelta,
): NumberValue {
  if (stored && stored.kind !== 'int' && stored.kind !== 'float') {
    throw new TypeMismatchError('not-a-number')
  }
  if (delta.type === 'int' && (!stored || stored.kind === 'int')) {
    const sum = (stored ? BigInt(stored.text) : 0n) + delta.by
    if (!inInt64(sum)) throw new TypeMismatchError('int-overflow')
    return { kind: 'int', value: sum, text: sum.toString() }
  }
  const base = stored ? Number(stored.text) : 0
  const sum = base + Number(delta.by)
  if (!Number.isFinite(sum)) throw new TypeMismatchError('float-overflow')
  return { kind: 'float', value: sum, text: formatFloat(sum) }
}
