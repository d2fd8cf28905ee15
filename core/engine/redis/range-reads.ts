// Range reads of a namespace's entries on Redis: scans and counts over its index, a sorted set
// whose members share one score so ZRANGEBYLEX walks them in byte order (keys.ts). Each is one
// script, so a page is read as of one moment; unlike point reads, these never go through the near
// cache (entry-reads.ts), which holds single entries only.

import { Buffer } from 'node:buffer'
import { compareBytes, prefixEnd } from '../bytes.ts'
import type { ScanPage, ScanQuery } from '../types.ts'
import { entriesOfScan } from './codecs.ts'
import type { RedisConnection } from './connection.ts'
import { lex } from './keys.ts'

export async function scanEntries(
  redis: RedisConnection,
  ns: string,
  query: ScanQuery,
  now: number,
): Promise<ScanPage> {
  const { prefix, cursor, reverse = false, withValues = false, offset = 0, limit } = query
  let lower: Buffer | string = prefix?.length ? lex.from(prefix) : lex.min
  const end = prefix?.length ? prefixEnd(prefix) : null
  let upper: Buffer | string = end ? lex.after(end) : lex.max
  if (cursor && !reverse && (!prefix?.length || compareBytes(cursor, prefix) >= 0)) lower = lex.after(cursor)
  if (cursor && reverse && (!end || compareBytes(cursor, end) < 0)) upper = lex.after(cursor)
  const keys = redis.keys(ns)
  const packed = (await redis.run(
    'scan',
    [keys.index, keys.info],
    [
      Buffer.concat([keys.base, Buffer.from(':e:')]),
      lower,
      upper,
      reverse ? '1' : '0',
      offset,
      limit + 1,
      now,
      withValues ? '1' : '0',
    ],
    true,
  )) as Buffer
  const entries = entriesOfScan(packed, withValues)
  const more = entries.length > limit
  if (more) entries.length = limit
  return { entries, cursor: more && entries.length > 0 ? entries[entries.length - 1]!.key : null }
}

export async function countEntries(
  redis: RedisConnection,
  ns: string,
  prefix: Uint8Array | undefined,
  now: number,
): Promise<number> {
  const keys = redis.keys(ns)
  const end = prefix?.length ? prefixEnd(prefix) : null
  return (await redis.run(
    'count',
    [keys.index, keys.expiring],
    [prefix?.length ? lex.from(prefix) : lex.min, end ? lex.after(end) : lex.max, prefix ?? '', now],
  )) as number
}
