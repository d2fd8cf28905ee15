// Valibot schemas of CloudKV's inputs: bucket mode, ttl, delete confirmation. Routes parse with
// core's parseWith, so a failure is a 400 carrying the schema's message.

import * as v from 'valibot'

export type Mode = 'public' | 'public-read' | 'protected'

/** The create spelling; `read-public` (the description's spelling) is stored as `public-read`. */
export const ModeSchema = v.pipe(
  v.string('access is required: public, public-read or protected'),
  v.picklist(
    ['public', 'public-read', 'read-public', 'protected'],
    'access must be one of: public, public-read, protected',
  ),
  v.transform((mode): Mode => (mode === 'read-public' ? 'public-read' : mode)),
)

const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
/** Beyond this an expiry no longer fits an HTTP date comfortably; nobody means it anyway. */
const MAX_TTL_MS = 100 * 365 * 86_400_000
const TTL_MESSAGE = 'ttl must be a positive whole number of seconds, optionally followed by s, m, h or d'

/** `ttl` query parameter: 30, 5s, 10m, 1h, 7d -> milliseconds. */
export const TtlSchema = v.pipe(
  v.string(TTL_MESSAGE),
  v.regex(/^\d+[smhd]?$/, TTL_MESSAGE),
  v.transform((text) => {
    const unit = /[smhd]$/.test(text) ? text.slice(-1) : ''
    return Number(unit ? text.slice(0, -1) : text) * UNIT_MS[unit]!
  }),
  v.check((ms) => ms > 0, TTL_MESSAGE),
  v.check((ms) => ms <= MAX_TTL_MS, 'ttl must be at most 100 years'),
)

/** `confirm` query parameter of Delete Bucket: the key count List Buckets shows. */
export const ConfirmSchema = v.pipe(
  v.string('confirm is required: the estimated_keys of the bucket, as List Buckets shows it'),
  v.regex(/^\d{1,15}$/, 'confirm must be the estimated_keys of the bucket, a whole number'),
  v.transform(Number),
)
