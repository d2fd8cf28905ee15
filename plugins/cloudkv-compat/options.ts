// CloudKV's configurable limits (KVGATE_CLOUDKV_<OPTION>), with the contract's defaults.

import * as v from 'valibot'
import { integerOption } from '../../core/options.ts'

export const CloudkvOptions = v.object({
  /** Longest key name in bytes: 64 on every upstream plan. */
  maxKeyBytes: integerOption(64, { min: 1, max: 4096 }),
  /** Largest value in bytes: "currently 1 MiB" (Set Key). */
  maxValueBytes: integerOption(1024 * 1024, { min: 1 }),
  /** Most names one prefix find returns. */
  maxFindKeys: integerOption(1000, { min: 1, max: 100_000 }),
  /** Buckets one account may own; 0 means no limit. */
  maxBucketsPerAccount: integerOption(0),
  /** Live keys one bucket may hold; 0 means no limit. */
  maxKeysPerBucket: integerOption(0),
})

export type CloudkvOptions = v.InferOutput<typeof CloudkvOptions>

/** Bucket forms (create, modify) are small; a larger one is refused as too large. */
export const FORM_LIMIT_BYTES = 64 * 1024
