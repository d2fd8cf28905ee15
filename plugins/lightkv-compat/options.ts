// LightKV's configurable limits, set as KVGATE_LIGHTKV_<OPTION> or under dialectOptions.lightkv in the
// config file. The defaults are the contract's.

import * as v from 'valibot'
import { integerOption } from '../../core/options.ts'

export const LightKvOptions = v.object({
  /** Longest key, in bytes of UTF-8 (KVGATE_LIGHTKV_MAX_KEY_BYTES). */
  maxKeyBytes: integerOption(512, { min: 1 }),
  /** Longest value, in bytes of its JSON text (KVGATE_LIGHTKV_MAX_VALUE_BYTES). */
  maxValueBytes: integerOption(64 * 1024, { min: 1 }),
  /** Most elements a list may hold (KVGATE_LIGHTKV_MAX_LIST_ITEMS). */
  maxListItems: integerOption(10_000, { min: 1 }),
  /** Largest request body (KVGATE_LIGHTKV_MAX_BODY_BYTES). */
  maxBodyBytes: integerOption(8 * 1024 * 1024, { min: 1024 }),
  /** Requests per app per window; 0 switches the limit off (KVGATE_LIGHTKV_RATE_LIMIT). */
  rateLimit: integerOption(0),
  /** Length of a rate-limit window in seconds (KVGATE_LIGHTKV_RATE_LIMIT_WINDOW). */
  rateLimitWindow: integerOption(60, { min: 1, max: 86_400 }),
})

export type LightKvOptions = v.InferOutput<typeof LightKvOptions>
