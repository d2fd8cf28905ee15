// How one change reads on the wire, in the event stream and in the long-poll page alike: the key
// as text, or base64 with key_encoding when it is not UTF-8; expiry in seconds; the value when
// asked for and still the one the change wrote (a later write has its own event), up to a limit.

import { Buffer } from 'node:buffer'
import { fromUtf8Strict } from '../engine/bytes.ts'
import type { Change } from '../engine/changes.ts'
import type { Engine } from '../engine/engine.ts'

export interface EventData {
  key: string
  key_encoding?: 'base64'
  version: number | null
  expires_at: number | null
  value?: string
  value_encoding?: 'base64'
  /** Why a value asked for is not here: too large, or already replaced or removed. */
  value_omitted?: 'too_large' | 'superseded'
}

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

export function eventData(change: Change): EventData {
  const text = fromUtf8Strict(change.key)
  return {
    ...(text === null ? { key: base64(change.key), key_encoding: 'base64' as const } : { key: text }),
    version: change.version,
    expires_at: change.expiresAt === null ? null : change.expiresAt / 1000,
  }
}

/** The change's data with its value, read now: present only while the entry is still at that version. */
export async function eventDataWithValue(
  engine: Engine,
  ns: string,
  change: Change,
  maxValueBytes: number,
): Promise<EventData> {
  const data = eventData(change)
  if (change.type !== 'put') return data
  const entry = await engine.get(ns, change.key)
  if (!entry || entry.version !== change.version) return { ...data, value_omitted: 'superseded' }
  if (entry.value.length > maxValueBytes) return { ...data, value_omitted: 'too_large' }
  const text = fromUtf8Strict(entry.value)
  return text === null
    ? { ...data, value: base64(entry.value), value_encoding: 'base64' }
    : { ...data, value: text }
}
