// RocketStack's configurable limits (KVGATE_ROCKETSTACK_<OPTION>), with the document's defaults.

import * as v from 'valibot'
import { integerOption } from '../../core/options.ts'

export const RocketStackOptions = v.object({
  /** Longest key, in bytes of its UTF-8 text ("Key size 512 bytes"). */
  maxKeyBytes: integerOption(512, { min: 1 }),
  /** Largest value, in bytes of its JSON text ("Value size 1 MB", read as 1 MiB). */
  maxValueBytes: integerOption(1024 * 1024, { min: 1 }),
  /** Longest TTL ("1 second to 365 days"). */
  maxTtlSeconds: integerOption(365 * 24 * 3600, { min: 1 }),
  /** Live keys per account ("Keys per account 1,000,000"); updates of existing keys stay allowed. */
  maxKeys: integerOption(1_000_000, { min: 1 }),
  /** Requests per account per window; 0 switches the limit off (the default). */
  rateLimit: integerOption(0),
  /** Length of the rate limit's window (the document's soft limit is per second). */
  rateLimitWindowSeconds: integerOption(1, { min: 1 }),
})

export type RocketStackOptions = v.InferOutput<typeof RocketStackOptions>

/** What a request body may add to the value's JSON text: the envelope and its other fields. */
export const ENVELOPE_BYTES = 64 * 1024

export const maxBodyBytes = (options: RocketStackOptions) => options.maxValueBytes + ENVELOPE_BYTES
