// Migration from CloudKV: its prefix find (GET /kv/{bucket}?prefix=) answers at most 1,000 names and
// has no cursor, so the keys are walked by prefix: a prefix that fills a whole answer is split into
// longer ones (the byte after it), in byte order. Each value is then read with GET, which gives its
// Content-Type and, for a key with a TTL, Expires. The bucket's mode and comment come from GET
// /buckets, and the kvgate bucket keeps the source's id.

import { compareBytes, concatBytes, startsWith } from '../engine/bytes.ts'
import { accountFor, ensureNamespace, required } from './destination.ts'
import { encodeKey, SourceError } from './http.ts'
import type { ListedKey, Page, SourceModule } from './source.ts'

/** The most names one prefix find answers. */
const FIND_LIMIT = 1000
const NEWLINE = 0x0a
/** Prefix finds sent ahead while the key space is walked. */
const LOOKAHEAD = 16

interface BucketJson {
  id: string
  mode: string
  comment: string | null
  estimated_keys: number
}

export const cloudkvSource: SourceModule = {
  dialect: 'cloudkv',
  defaultBaseUrl: 'https://api.cloudkv.io',
  flags: {
    bucket: 'the bucket id',
    'api-key': 'the account key that owns it',
  },
  open(options, http) {
    const bucket = required(options, 'bucket')
    const client = http({ 'api-key': required(options, 'api-key') })
    const base = `/kv/${encodeURIComponent(bucket)}`
    let info: Promise<BucketJson> | null = null
    const bucketInfo = () => {
      info ??= client.ok('/buckets').then(async (response) => {
        const { buckets } = (await response.json()) as { buckets: BucketJson[] }
        const found = buckets.find((each) => each.id === bucket)
        if (!found) throw new SourceError(`bucket ${bucket} is not among this api-key's buckets`)
        return found
      })
      return info
    }

    /** The names under a prefix, in byte order (at most FIND_LIMIT); none when it answers 404. */
    const find = async (prefix: Uint8Array): Promise<Uint8Array[]> => {
      const response = await client.request(`${base}?prefix=${encodeKey(prefix)}`)
      if (response.status === 404) {
        await response.body?.cancel()
        return []
      }
      if (!response.ok)
        throw new SourceError(`prefix find answered ${response.status}: ${await response.text()}`)
      return splitLines(new Uint8Array(await response.arrayBuffer()))
    }

    /** Every name under `prefix` after `after`, a batch at a time, in byte order. */
    /** Every name under a prefix that sorts before `after` (and does not lead to it) is done already. */
    const done = (prefix: Uint8Array, after: Uint8Array | null) =>
      after !== null && compareBytes(prefix, after) < 0 && !startsWith(after, prefix)

    /** Every name under `prefix` after `after`, a batch at a time, in byte order. */
    async function* walk(
      prefix: Uint8Array,
      after: Uint8Array | null,
      found: Promise<Uint8Array[]> = find(prefix),
    ): AsyncGenerator<Uint8Array[]> {
      const names = await found
      const fresh = (name: Uint8Array) => !after || compareBytes(name, after) > 0
      if (names.length < FIND_LIMIT) {
        yield names.filter(fresh)
        return
      }
      // A full answer: the names before the last one's next byte are complete; the rest is split.
      const split = names.at(-1)![prefix.length]!
      yield names.filter(
        (name) => (name.length === prefix.length || name[prefix.length]! < split) && fresh(name),
      )
      const children: Uint8Array[] = []
      for (let byte = split; byte <= 0xff; byte++) {
        const child = concatBytes(prefix, Uint8Array.of(byte))
        if (!done(child, after)) children.push(child)
      }
      // Most children are empty (a 404 each) and no answer depends on another: a few are asked ahead.
      const lookups: Promise<Uint8Array[]>[] = []
      for (let index = 0; index < children.length; index++) {
        for (let ahead = lookups.length; ahead < Math.min(children.length, index + LOOKAHEAD); ahead++) {
          lookups.push(find(children[ahead]!))
          // Awaited in turn below; this only keeps a failure ahead of a failure from going unhandled.
          lookups[ahead]!.catch(() => {})
        }
        yield* walk(children[index]!, after, lookups[index]!)
      }
    }

    let walker: AsyncGenerator<Uint8Array[]> | null = null
    return {
      container: bucket,
      total: async () => (await bucketInfo()).estimated_keys,
      async page(cursor): Promise<Page> {
        // The walk lives in this process; a resumed run starts one after the checkpoint's key.
        walker ??= walk(new Uint8Array(0), cursor ? hexToBytes(cursor) : null)
        const batch = await walker.next()
        if (batch.done) return { keys: [], next: null }
        const keys: ListedKey[] = batch.value.map((key) => ({ key }))
        const last = keys.at(-1)?.key
        return { keys, next: last ? bytesToHex(last) : (cursor ?? '') }
      },
      async read(listed) {
        const response = await client.request(`${base}/${encodeKey(listed.key)}`)
        if (response.status === 404) return null
        if (!response.ok)
          throw new SourceError(`reading a key answered ${response.status}: ${await response.text()}`)
        const type = response.headers.get('content-type')
        const expires = response.headers.get('expires')
        return {
          type: 'entry',
          key: listed.key,
          value: {
            bytes: new Uint8Array(await response.arrayBuffer()),
            // GET answers application/octet-stream for a value written without a Content-Type.
            contentType: type === null || type === 'application/octet-stream' ? null : type,
          },
          expiresAt: expires ? Date.parse(expires) : null,
        }
      },
      async destination(context) {
        const { mode, comment } = await bucketInfo()
        const owner = await accountFor(context, 'cloudkv', `migrated from CloudKV bucket ${bucket}`)
        await ensureNamespace(context.engine, {
          dialect: 'cloudkv',
          id: bucket,
          owner: owner.accountId,
          settings: { mode, comment },
        })
        return { namespace: bucket, ...owner }
      },
    }
  },
}

function splitLines(body: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = []
  let start = 0
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== NEWLINE) continue
    if (i > start) lines.push(body.slice(start, i))
    start = i + 1
  }
  return lines
}

// The checkpoint keeps the last key as hex: it may hold any byte.
const bytesToHex = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
const hexToBytes = (hex: string) =>
  Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
