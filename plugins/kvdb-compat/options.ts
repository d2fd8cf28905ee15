// KVdb's configurable limits, each set as KVGATE_KVDB_<OPTION> (e.g. KVGATE_KVDB_MAX_VALUE_BYTES).

import * as v from 'valibot'
import { booleanOption, integerOption } from '../../core/options.ts'

const YEAR = 365 * 24 * 3600

export const KvdbOptionsSchema = v.object({
  /** Longest key, in bytes; longer keys are refused with 400. */
  maxKeyBytes: integerOption(128, { min: 1 }),
  /** Largest value, in bytes; larger values are refused with 413. */
  maxValueBytes: integerOption(16 * 1024, { min: 1 }),
  /** Largest transaction body, in bytes. */
  maxTxnBytes: integerOption(16 * 1024 * 1024, { min: 1024 }),
  /** Most operations in one transaction. */
  maxTxnOps: integerOption(1000, { min: 1 }),
  /** Most keys in one listing page; larger `limit` values are clamped. */
  maxListLimit: integerOption(10_000, { min: 1 }),
  /** A bucket's default_ttl when none is given at creation (seconds; 0 = keys never expire). */
  defaultTtl: integerOption(604_800),
  /** Lifetime of an access token minted without `ttl` (seconds). */
  defaultTokenTtl: integerOption(3600, { min: 1 }),
  /** Longest lifetime of an access token (seconds). */
  maxTokenTtl: integerOption(YEAR, { min: 1 }),
  /** Requests per client IP per window; 0 disables the limit and its headers. */
  rateLimit: integerOption(1000),
  /** Length of the fixed rate-limit window (seconds). */
  rateLimitWindow: integerOption(3600, { min: 1 }),
  /** Whether anyone may create buckets (POST /); off answers 403. */
  allowCreate: booleanOption(true),
})

export type KvdbOptions = v.InferOutput<typeof KvdbOptionsSchema>
