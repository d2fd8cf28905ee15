// Where a bucket's scripts live: a namespace of their own, `{bucket}-scripts` (a bucket id never
// holds a "-", so the two cannot meet), tagged with its own dialect so it is never loaded as a
// bucket. Keys are script names, values the Lua sources; each upload gets a new engine version,
// which is what the sandbox's compiled-script cache is keyed on. Deleting the bucket deletes it.

import { utf8 } from '../../core/engine/bytes.ts'
import type { Engine } from '../../core/engine/engine.ts'
import { ConflictError } from '../../core/engine/errors.ts'
import type { ScanEntry } from '../../core/engine/types.ts'

const SCRIPTS_DIALECT = 'kvdb-scripts'

export const SCRIPT_NAME = /^[A-Za-z0-9_.-]{1,64}$/

const namespaceOf = (bucketId: string) => `${bucketId}-scripts`

export interface StoredScript {
  source: Uint8Array
  version: number
}

export async function loadScript(
  engine: Engine,
  bucketId: string,
  name: string,
): Promise<StoredScript | null> {
  const entry = await engine.get(namespaceOf(bucketId), utf8(name))
  return entry ? { source: entry.value, version: entry.version } : null
}

export async function saveScript(
  engine: Engine,
  bucketId: string,
  name: string,
  source: Uint8Array,
): Promise<void> {
  const ns = namespaceOf(bucketId)
  if (!(await engine.namespaces.get(ns))) {
    try {
      await engine.namespaces.create({ dialect: SCRIPTS_DIALECT, id: ns })
    } catch (error) {
      // A concurrent first upload created it: fine.
      if (!(error instanceof ConflictError)) throw error
    }
  }
  await engine.put(ns, utf8(name), { bytes: source, kind: 'bytes' })
}

/** Whether there was a script to delete. */
export async function deleteScript(engine: Engine, bucketId: string, name: string): Promise<boolean> {
  return engine.delete(namespaceOf(bucketId), utf8(name))
}

export async function listScripts(engine: Engine, bucketId: string, limit: number): Promise<ScanEntry[]> {
  return (await engine.scan(namespaceOf(bucketId), { limit })).entries
}

/** Drops every script of a bucket (with the bucket). */
export async function deleteAllScripts(engine: Engine, bucketId: string): Promise<void> {
  const ns = namespaceOf(bucketId)
  if (await engine.namespaces.get(ns)) await engine.namespaces.delete(ns)
}
