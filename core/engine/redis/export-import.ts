// What export and import need of Redis: import's write (restore, entries stored exactly as a dump
// holds them) and, since Redis has no snapshot to read a namespace through, the change mark export
// compares before and after reading. Kept out of backend.ts, which serves the requests' operations.

import { Buffer } from 'node:buffer'
import { type Entry, VALUE_KIND_CODES } from '../types.ts'
import { optional } from './codecs.ts'
import type { RedisConnection } from './connection.ts'
import type { EntryReads } from './entry-reads.ts'
import type { ExpiringNamespaces } from './expiring.ts'
import type { ScriptArg } from './scripts.ts'

/** Stores a page of a dump in one script; returns how many entries it wrote. */
export async function restoreEntries(
  redis: RedisConnection,
  reads: EntryReads,
  expiring: ExpiringNamespaces,
  ns: string,
  entries: Entry[],
  overwrite: boolean,
  now: number,
): Promise<number> {
  if (entries.length === 0) return 0
  const keys = redis.keys(ns)
  const args: ScriptArg[] = [Buffer.concat([keys.base, Buffer.from(':e:')]), overwrite ? '1' : '0', now]
  let anyExpiring = false
  for (const entry of entries) {
    if (entry.expiresAt !== null) anyExpiring = true
    args.push(
      entry.key,
      entry.value,
      String(VALUE_KIND_CODES[entry.kind]),
      optional(entry.contentType),
      optional(entry.metadata),
      entry.version,
      entry.updatedAt,
      entry.expiresAt ?? '',
    )
  }
  // Through the near cache's side of a write, as every entry write is (entry-reads.ts).
  const [written, hint] = (await reads.writing(
    entries.map((entry) => keys.entry(entry.key)),
    () => redis.run('restore', [keys.index, keys.expiring, keys.version, keys.info], args),
  )) as [number, number]
  expiring.hint(ns, anyExpiring, hint === 1)
  return written
}

/**
 * Redis has no snapshot a client can read a namespace through page by page; export instead reads
 * this mark before and after, and reads again when it moved. Every entry write raises the version
 * counter and every removal shrinks the index; lists count by their index.
 */
export async function readChangeMark(redis: RedisConnection, ns: string): Promise<string> {
  const keys = redis.keys(ns)
  const { client } = redis
  const [version, entries, lists] = await redis.guarded(
    Promise.all([client.get(keys.version), client.zcard(keys.index), client.zcard(keys.lists)]),
  )
  return `${version ?? 0}/${entries}/${lists}`
}
