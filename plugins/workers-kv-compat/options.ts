// The Workers KV limits, each configurable as KVGATE_WORKERS_KV_<OPTION> (e.g. KVGATE_WORKERS_KV_MAX_VALUE_BYTES).

import * as v from 'valibot'
import { integerOption } from '../../core/options.ts'

export const WorkersKvOptions = v.object({
  /** Key names: 1 to this many bytes of UTF-8. */
  maxKeyBytes: integerOption(512, { min: 1, max: 4096 }),
  /** Values: 25 MiB upstream. */
  maxValueBytes: integerOption(25 * 1024 * 1024, { min: 1 }),
  /** Serialized JSON metadata. */
  maxMetadataBytes: integerOption(1024, { min: 1, max: 64 * 1024 }),
  /** The shortest expiration_ttl, and how far in the future an expiration must be. */
  minTtlSeconds: integerOption(60, { min: 1 }),
  /** Items in one bulk write or bulk delete. */
  maxBulkItems: integerOption(10_000, { min: 1, max: 10_000 }),
  /** Request body of a bulk write or delete: 100 MB upstream. */
  maxBulkBytes: integerOption(100 * 1000 * 1000, { min: 1024 }),
  /** Keys in one bulk get. */
  maxBulkGetKeys: integerOption(100, { min: 1, max: 10_000 }),
  /** Namespaces one account may hold. */
  maxNamespaces: integerOption(1000, { min: 1 }),
  /** Requests per account and window; 0 means no rate limit. Upstream allows 1200 per 5 minutes. */
  rateLimit: integerOption(0),
  rateLimitWindowSeconds: integerOption(300, { min: 1 }),
})

export type WorkersKvOptions = v.InferOutput<typeof WorkersKvOptions>

/** Room for multipart boundaries, part headers and the metadata part around a value at its limit. */
export const MULTIPART_OVERHEAD = 64 * 1024
