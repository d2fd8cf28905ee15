// How a write's conditions and a batch's checks are judged against the live version of a key (null
// when there is no live entry), for the backends that judge them in TypeScript. The Redis scripts
// judge the same rules in Lua (redis/common.lua, failed_condition), given the same conditions as
// presence() and ifVersion.

import type { WriteConditions } from './backend.ts'
import { type ConflictReason, InvalidError } from './errors.ts'

export interface CheckConditions {
  exists?: boolean
  version?: number
}

/** Whether a write has any condition, i.e. whether the live version must be read first. */
export const hasConditions = (conditions: WriteConditions): boolean =>
  conditions.ifAbsent === true || conditions.ifExists === true || conditions.ifVersion !== undefined

/** Why a write's conditions fail, or null when they hold. */
export function failedCondition(conditions: WriteConditions, current: number | null): ConflictReason | null {
  if (conditions.ifAbsent && current !== null) return 'exists'
  if (conditions.ifExists && current === null) return 'missing'
  if (conditions.ifVersion !== undefined && current !== conditions.ifVersion) return 'version'
  return null
}

/** A batch check as write conditions: exists true is ifExists, false is ifAbsent. */
export const conditionsOfCheck = (check: CheckConditions): WriteConditions => ({
  ifAbsent: check.exists === false,
  ifExists: check.exists === true,
  ifVersion: check.version,
})

/** What a write requires of the key's presence, as the Redis scripts take it: 'a'bsent, 'e'xists, or ''. */
export const presence = (conditions: WriteConditions): 'a' | 'e' | '' =>
  conditions.ifAbsent ? 'a' : conditions.ifExists ? 'e' : ''

/** The message of a single write's failed condition (a batch names its operation instead). */
export const CONFLICT_MESSAGES: Partial<Record<ConflictReason, string>> = {
  exists: 'key exists',
  missing: 'key missing',
  version: 'version mismatch',
}

/** Refuses conditions that contradict each other: ifAbsent with ifExists or ifVersion (both need a live entry). */
export function checkCombination(conditions: WriteConditions): void {
  if (!conditions.ifAbsent) return
  if (conditions.ifVersion !== undefined) {
    throw new InvalidError('conditions', 'ifAbsent and ifVersion cannot be combined')
  }
  if (conditions.ifExists) throw new InvalidError('conditions', 'ifAbsent and ifExists cannot be combined')
}
