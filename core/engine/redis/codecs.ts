// How the Redis backend writes arguments for its scripts and reads entries back from replies:
// an entry's hash fields (a get) and its packed info field (a scan; layout in common.lua).

import { Buffer } from 'node:buffer'
import { type Entry, kindOfCode, type ScanEntry } from '../types.ts'
import type { ScriptArg } from './scripts.ts'

/** A reply as ioredis hands it over (Buffers from the *Buffer variants of commands). */
export type Reply = Buffer | string | number | null | Reply[]

/** The hash fields a get reads, in order: value, kind, content type, metadata, version, updated, expires. */
export const ENTRY_FIELDS = ['v', 'k', 'c', 'm', 'n', 'u', 'x']

/** Null as '', text as '=' + text: scripts tell "none" from an empty string. */
export const optional = (value: string | null): string => (value === null ? '' : `=${value}`)

/** A script argument as sent: numbers in decimal, bytes as a Buffer over the same memory. */
export function scriptArg(value: ScriptArg): string | Buffer {
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** A plain Uint8Array view of a reply buffer, so callers compare it like any other key or value. */
export const bytes = (buffer: Buffer): Uint8Array =>
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

export const text = (reply: Reply | undefined): string =>
  Buffer.isBuffer(reply) ? reply.toString() : typeof reply === 'string' ? reply : String(reply)

/** An entry from the reply to HMGET of ENTRY_FIELDS, or null when there is none. */
export function entryFromFields(key: Uint8Array, fields: Array<Buffer | null>): Entry | null {
  const [value, kind, contentType, metadata, version, updatedAt, expiresAt] = fields
  if (!version) return null
  return {
    key,
    kind: kindOfCode(Number(text(kind!))),
    contentType: contentType ? contentType.toString() : null,
    metadata: metadata ? metadata.toString() : null,
    version: Number(text(version)),
    updatedAt: Number(text(updatedAt!)),
    expiresAt: expiresAt ? Number(expiresAt.toString()) : null,
    value: value ? bytes(value) : new Uint8Array(0),
  }
}

/** An entry from its packed info field (see common.lua) and, when read, its value. */
export function entryFromInfo(key: Uint8Array, info: Buffer, value: Buffer | null | undefined): ScanEntry {
  // The header is ASCII decimals between commas, read in place: a scan decodes a hundred of these
  // per page, and making strings of them and splitting them cost more than the rest of the page.
  let at = 0
  const field = (): number | null => {
    let n = 0
    let negative = false
    let digits = 0
    for (;;) {
      const c = info[at++]!
      if (c === 0x2c || c === 0x3a) break // ',' ':'
      if (c === 0x2d) negative = true
      else {
        n = n * 10 + (c - 0x30)
        digits++
      }
    }
    return digits === 0 ? null : negative ? -n : n
  }
  const kind = field()!
  const version = field()!
  const updatedAt = field()!
  const expiresAt = field()
  const typeLength = field()!
  const metadataLength = field()!
  const slice = (length: number) => {
    if (length < 0) return null
    const text = info.toString('utf8', at, at + length)
    at += length
    return text
  }
  const contentType = slice(typeLength)
  const metadata = slice(metadataLength)
  const entry: ScanEntry = {
    key,
    kind: kindOfCode(kind),
    contentType,
    metadata,
    version,
    updatedAt,
    expiresAt,
  }
  if (value !== undefined) entry.value = value ? bytes(value) : new Uint8Array(0)
  return entry
}

/** The entries of a scan script's reply (scan.lua): lengths, then member, packed info and value. */
export function entriesOfScan(packed: Buffer, withValues: boolean): ScanEntry[] {
  const entries: ScanEntry[] = []
  const head = withValues ? 12 : 8
  for (let at = 0; at < packed.length; ) {
    const keyLength = packed.readUInt32BE(at)
    const infoLength = packed.readUInt32BE(at + 4)
    const valueLength = withValues ? packed.readUInt32BE(at + 8) : 0
    const keyAt = at + head
    const infoAt = keyAt + keyLength
    const valueAt = infoAt + infoLength
    at = valueAt + valueLength
    entries.push(
      entryFromInfo(
        bytes(packed.subarray(keyAt, infoAt)),
        packed.subarray(infoAt, valueAt),
        withValues ? packed.subarray(valueAt, at) : undefined,
      ),
    )
  }
  return entries
}
