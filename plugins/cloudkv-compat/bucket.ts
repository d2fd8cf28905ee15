// A CloudKV bucket is one engine namespace owned by an account; its mode and comment live in the
// namespace's settings.

import type { Engine } from '../../core/engine/engine.ts'
import { ConflictError } from '../../core/engine/errors.ts'
import type { Namespace } from '../../core/engine/namespaces.ts'
import { HttpError } from '../../core/http/errors.ts'
import { BASE62, randomString } from '../../core/ids.ts'
import type { Mode } from './schemas.ts'

export const DIALECT = 'cloudkv'

export interface BucketSettings {
  mode: Mode
  comment: string | null
  /** GET and HEAD that found the key / did not (see stats.ts). */
  getSuccess?: number
  getFailed?: number
}

export interface Bucket {
  id: string
  owner: string
  mode: Mode
  comment: string | null
  createdAt: number
  getSuccess: number
  getFailed: number
}

/** "a" and 15 base62 characters, in the style of the upstream examples (a1qEdq50Q7O3gB). */
const newBucketId = () => `a${randomString(BASE62, 15)}`
const BUCKET_ID = /^[A-Za-z0-9]{1,64}$/

function toBucket(ns: Namespace<BucketSettings>): Bucket | null {
  if (ns.dialect !== DIALECT || ns.owner === null) return null
  return {
    id: ns.id,
    owner: ns.owner,
    mode: ns.settings.mode,
    comment: ns.settings.comment ?? null,
    createdAt: ns.createdAt,
    getSuccess: ns.settings.getSuccess ?? 0,
    getFailed: ns.settings.getFailed ?? 0,
  }
}

export async function findBucket(engine: Engine, id: string): Promise<Bucket | null> {
  if (!BUCKET_ID.test(id)) return null
  const ns = await engine.namespaces.get<BucketSettings>(id)
  return ns ? toBucket(ns) : null
}

export async function loadBucket(engine: Engine, id: string): Promise<Bucket> {
  const bucket = await findBucket(engine, id)
  if (!bucket) throw new HttpError(404, 'bucket not found')
  return bucket
}

export async function createBucket(engine: Engine, owner: string, settings: BucketSettings): Promise<Bucket> {
  for (let attempt = 0; ; attempt++) {
    try {
      const ns = await engine.namespaces.create<BucketSettings>({
        dialect: DIALECT,
        id: newBucketId(),
        owner,
        settings,
      })
      return toBucket(ns)!
    } catch (error) {
      // 62^15 ids make a collision all but impossible; draw again rather than fail if one happens.
      if (error instanceof ConflictError && attempt < 3) continue
      throw error
    }
  }
}

export async function listBuckets(engine: Engine, owner: string): Promise<Bucket[]> {
  const found = await engine.namespaces.list<BucketSettings>({ dialect: DIALECT, owner })
  return found.flatMap((ns) => toBucket(ns) ?? [])
}

export async function setComment(engine: Engine, id: string, comment: string | null): Promise<void> {
  await engine.namespaces.update<BucketSettings>(id, (current) => ({
    settings: { ...current.settings, comment },
  }))
}

/** RFC 3339 with microseconds and an explicit offset, as upstream writes it (UTC here). */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('Z', '000+00:00')
