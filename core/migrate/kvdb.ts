// Migration from KVdb: the bucket listing (format=text, which carries keys as their bytes) page by
// page with skip and limit, then GET /{bucket}/{key} for each value, whose Content-Type tells a JSON
// value from text. KVdb's API shows no key's expiry and no bucket's keys: the kvgate bucket keeps the
// source's id and gets the keys given here (hashed), and migrated keys expire only with --default-ttl.

import { DIALECT, newBucketSettings } from '../../plugins/kvdb-compat/bucket.ts'
import { rawValue } from '../../plugins/kvdb-compat/values.ts'
import { ensureNamespace, required } from './destination.ts'
import { encodeKey, SourceError } from './http.ts'
import type { ListedKey, SourceModule } from './source.ts'

const PAGE = 1000
const NEWLINE = 0x0a

export const kvdbSource: SourceModule = {
  dialect: 'kvdb',
  defaultBaseUrl: 'https://kvdb.io',
  flags: {
    bucket: 'the bucket id',
    'secret-key': "the bucket's secret key (reads it; the kvgate bucket gets it too)",
    'read-key': 'its read key, when it has one (reads it without the secret key)',
    'write-key': 'its write key, for the kvgate bucket',
    'signing-key': 'its signing key, so that its access tokens work on kvgate',
    'default-ttl':
      "seconds; the kvgate bucket's default_ttl, and the expiry of every migrated key (default 0: none)",
  },
  open(options, http) {
    const bucket = required(options, 'bucket')
    const text = (flag: string) => (typeof options[flag] === 'string' ? (options[flag] as string) : undefined)
    const credential = text('secret-key') ?? text('read-key')
    const client = http(credential ? { authorization: `Bearer ${credential}` } : {})
    const defaultTtl = Number(text('default-ttl') ?? 0)
    if (!Number.isInteger(defaultTtl) || defaultTtl < 0)
      throw new SourceError('--default-ttl must be whole seconds')
    const base = `/${encodeURIComponent(bucket)}`
    return {
      container: bucket,
      total: async () => null,
      async page(cursor) {
        const skip = Number(cursor ?? 0)
        const response = await client.ok(`${base}/?format=text&limit=${PAGE}&skip=${skip}`)
        const keys = splitKeys(new Uint8Array(await response.arrayBuffer()))
        return { keys, next: keys.length < PAGE ? null : String(skip + keys.length) }
      },
      async read(listed) {
        const response = await client.request(`${base}/${encodeKey(listed.key)}`)
        if (response.status === 404) return null
        if (!response.ok)
          throw new SourceError(`reading a key answered ${response.status}: ${await response.text()}`)
        const bytes = new Uint8Array(await response.arrayBuffer())
        return {
          type: 'entry',
          key: listed.key,
          value: rawValue(bytes, response.headers.get('content-type')),
          expiresAt: defaultTtl > 0 ? Date.now() + defaultTtl * 1000 : null,
        }
      },
      async destination(context) {
        if (context.createAccount || context.accountId)
          throw new SourceError(
            'KVdb buckets belong to no account: give the bucket keys instead (--secret-key ...)',
          )
        const settings = newBucketSettings(
          (field) => text(field.replace('_', '-')),
          text('signing-key') ?? null,
          defaultTtl,
        )
        await ensureNamespace(context.engine, { dialect: DIALECT, id: bucket, owner: null, settings })
        return { namespace: bucket, accountId: null, created: null }
      },
    }
  },
}

/** The text listing: one key per line, as bytes, with a newline inside a key written as `\n`. */
function splitKeys(body: Uint8Array): ListedKey[] {
  const keys: ListedKey[] = []
  let start = 0
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== NEWLINE) continue
    if (i > start) keys.push({ key: unescapeNewlines(body.subarray(start, i)) })
    start = i + 1
  }
  return keys
}

function unescapeNewlines(line: Uint8Array): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < line.length; i++) {
    if (line[i] === 0x5c && line[i + 1] === 0x6e) {
      out.push(NEWLINE)
      i++
    } else out.push(line[i]!)
  }
  return new Uint8Array(out)
}
