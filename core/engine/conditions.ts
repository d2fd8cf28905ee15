// How a write's conditions and a batch's checks are judged against the live version of a key (null
// when there is no live entry), for the backends that judge them in TypeScript. The Redis scripts
// judge the same rules in Lua (redis/common.lua, failed_condition).

import type { ConflictReason } from './errors.ts'

export interface WriteConditions {
  ifAbsent?: boolean
  ifVersion?: number
}

export interface CheckConditions {
  exists?: boolean
  version?: number
}

/** Whether a write has any condition, i.e. whether the live version must be read first. */
export const hasConditions = (conditions: WriteConditions): boolean =>
  conditions.ifAbsent === true || conditions.ifVersion !== undefined

/** Why a write's conditions fail, or null when they hold. */
export function failedCondition(conditions: WriteConditions, current: number | null): ConflictReason | null {
  if (conditions.ifAbsent && current !== null) return 'exists'
  if (conditions.ifVersion !== undefined && current !== conditions.ifVersion) return 'version'
  return null
}

/** Why a batch check fails, or null when it holds. */
export function failedCheck(check: CheckConditions, current: number | null): ConflictReason | null {
  if (check.exists === true && current === null) return 'missing'
  if (check.exists === false && current !== null) return 'exists'
  if (check.version !== undefined && current !== check.version) return 'version'
  return null
}

/** The message of a single write's failed condition (a batch names its operation instead). */
export const CONFLICT_MESSAGES: Partial<Record<ConflictReason, string>> = {
  exists: 'key exists',
  version: 'version mismatch',
}
