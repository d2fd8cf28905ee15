// Conditional writes: the body's ifNotExists / ifVersion and the If-None-Match / If-Match headers,
// merged into one condition, refusing combinations that cannot both hold or that disagree.

import { badRequest } from './errors.ts'
import type { PutFields } from './schemas.ts'

export type Condition =
  | { kind: 'none' }
  /** Set if not exists. */
  | { kind: 'absent' }
  /** Compare and swap; `version` is null for a version text that no entry can have. */
  | { kind: 'version'; text: string; version: number | null }
  /** If-Match: *, any live entry. */
  | { kind: 'exists' }

const VERSION = /^[1-9][0-9]{0,15}$/

/** A version as clients send it: decimal text, compared for equality only. */
export function versionCondition(text: string): Condition {
  const version = VERSION.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null
  return { kind: 'version', text, version }
}

/** The If-Match header's condition: `*`, `7`, `"7"` or `W/"7"`; null when absent. */
export function ifMatch(headers: Headers): Condition | null {
  const header = headers.get('if-match')?.trim()
  if (header === undefined || header === '') return null
  if (header === '*') return { kind: 'exists' }
  const tag = header.replace(/^W\//, '')
  const text = tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"') ? tag.slice(1, -1) : tag
  if (text === '' || text.includes(',') || text.includes('"')) {
    throw badRequest('If-Match must hold one version')
  }
  return versionCondition(text)
}

export function putCondition(fields: PutFields, headers: Headers): Condition {
  const noneMatch = headers.get('if-none-match')?.trim()
  if (noneMatch !== undefined && noneMatch !== '' && noneMatch !== '*') {
    throw badRequest('If-None-Match supports only *')
  }
  const absentByHeader = noneMatch === '*'
  const absentByBody = fields.ifNotExists ?? undefined
  if (absentByBody === false && absentByHeader) {
    throw badRequest('ifNotExists and If-None-Match disagree')
  }
  const absent = absentByHeader || absentByBody === true

  const byHeader = ifMatch(headers)
  const ifVersion = fields.ifVersion
  const byBody =
    ifVersion === undefined || ifVersion === null
      ? null
      : versionCondition(typeof ifVersion === 'number' ? String(ifVersion) : ifVersion)
  if (
    byHeader &&
    byBody &&
    (byHeader.kind !== 'version' || byHeader.text !== (byBody as { text: string }).text)
  ) {
    throw badRequest('ifVersion and If-Match disagree')
  }
  const version = byBody ?? byHeader
  if (absent && version) throw badRequest('Set-if-not-exists and compare-and-swap cannot be combined')
  if (absent) return { kind: 'absent' }
  return version ?? { kind: 'none' }
}
