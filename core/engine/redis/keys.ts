// Key layout of the Redis backend. Every key of a namespace starts with `<prefix>{<ns>}`, so the
// hash tag puts a whole namespace in one cluster slot, where its Lua scripts can run. (See REDIS.md.)
//
//   <base>:e:<key>   hash: one entry (value, kind, content type, metadata, version, times)
//   <base>:i         sorted set, all scores 0: entry keys in byte order (ZRANGEBYLEX scans)
//   <base>:x         sorted set scored by expiry time: entries that expire
//   <base>:m         hash: entry key -> everything but the value, packed (what a scan reads)
//   <base>:v         the namespace's version counter
//   <base>:w         stream: the change log, ids 0-<revision> (changes.ts)
//   <base>:r         the change log's revision counter
//   <base>:s         scratch hash for exact int64 arithmetic inside the increment script
//   <base>:l         sorted set, all scores 0: list keys in byte order
//   <base>:li:<key>  sorted set: a list's canonical elements, scored by position
//   <base>:lt:<key>  hash: a list's canonical element -> the text first sent
//   <prefix>expiring set of namespaces that have expiring entries, for the sweeper (no hash tag)

import { Buffer } from 'node:buffer'

export const DEFAULT_PREFIX = 'kvgate:'

export class NamespaceKeys {
  readonly base: Buffer
  readonly index: Buffer
  readonly expiring: Buffer
  readonly info: Buffer
  readonly version: Buffer
  readonly scratch: Buffer
  readonly lists: Buffer
  readonly changes: Buffer
  readonly changeHead: Buffer
  private readonly entryPrefix: Buffer
  private readonly listItemsPrefix: Buffer
  private readonly listTextsPrefix: Buffer

  constructor(prefix: string, ns: string) {
    const base = `${prefix}{${hashTag(ns)}}`
    this.base = Buffer.from(base)
    this.index = Buffer.from(`${base}:i`)
    this.expiring = Buffer.from(`${base}:x`)
    this.info = Buffer.from(`${base}:m`)
    this.version = Buffer.from(`${base}:v`)
    this.scratch = Buffer.from(`${base}:s`)
    this.lists = Buffer.from(`${base}:l`)
    this.changes = Buffer.from(`${base}:w`)
    this.changeHead = Buffer.from(`${base}:r`)
    this.entryPrefix = Buffer.from(`${base}:e:`)
    this.listItemsPrefix = Buffer.from(`${base}:li:`)
    this.listTextsPrefix = Buffer.from(`${base}:lt:`)
  }

  entry(key: Uint8Array): Buffer {
    return Buffer.concat([this.entryPrefix, key])
  }

  listItems(key: Uint8Array): Buffer {
    return Buffer.concat([this.listItemsPrefix, key])
  }

  listTexts(key: Uint8Array): Buffer {
    return Buffer.concat([this.listTextsPrefix, key])
  }
}

/**
 * The namespace as its hash tag. Namespace ids are plain ([A-Za-z0-9_-]); anything else (a brace
 * would end the tag early and let one namespace's keys spell another's) is written in base64url
 * behind a "~", which no plain id starts with.
 */
function hashTag(ns: string): string {
  return /^[A-Za-z0-9_.:-]+$/.test(ns) ? ns : `~${Buffer.from(ns).toString('base64url')}`
}

/** The sweeper's set of namespaces with expiring entries. */
export const expiringSetKey = (prefix: string) => `${prefix}expiring`

/** A prefix must not hold a brace: the hash tag has to be the namespace's. */
export function checkPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new Error(`a Redis key prefix must not contain "{" or "}": ${prefix}`)
  return prefix
}

const bound = (mark: string, key: Uint8Array) => Buffer.concat([Buffer.from(mark), key])

/** ZRANGEBYLEX bounds: inclusive, exclusive, or open ends. */
export const lex = {
  from: (key: Uint8Array) => bound('[', key),
  after: (key: Uint8Array) => bound('(', key),
  min: '-',
  max: '+',
}
