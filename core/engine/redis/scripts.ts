// The Redis backend's Lua scripts, imported as text so the compiled binary carries them, each
// prefixed with the shared helpers, and run by their SHA1 (EVALSHA), sent again whole (EVAL) when
// Redis has lost its script cache. (ioredis's defineCommand does the same, at about 15 µs more of
// client CPU per call than EVALSHA sent directly: a put's largest share on the kvgate side.)

import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { VALUE_KIND_CODES } from '../types.ts'
import batch from './batch.lua' with { type: 'text' }
import common from './common.lua' with { type: 'text' }
import count from './count.lua' with { type: 'text' }
import del from './delete.lua' with { type: 'text' }
import drop from './drop.lua' with { type: 'text' }
import increment from './increment.lua' with { type: 'text' }
import listAdd from './list-add.lua' with { type: 'text' }
import listDelete from './list-delete.lua' with { type: 'text' }
import listRead from './list-read.lua' with { type: 'text' }
import listRemove from './list-remove.lua' with { type: 'text' }
import listWrite from './list-write.lua' with { type: 'text' }
import put from './put.lua' with { type: 'text' }
import restore from './restore.lua' with { type: 'text' }
import scan from './scan.lua' with { type: 'text' }
import sweep from './sweep.lua' with { type: 'text' }

/** Each script with its number of declared keys (see the KEYS line at the top of each file). */
const SCRIPTS = {
  put: [put, 7],
  delete: [del, 6],
  increment: [increment, 8],
  batch: [batch, 6],
  scan: [scan, 2],
  count: [count, 2],
  listWrite: [listWrite, 3],
  listAdd: [listAdd, 3],
  listRemove: [listRemove, 3],
  listRead: [listRead, 3],
  listDelete: [listDelete, 3],
  drop: [drop, 7],
  sweep: [sweep, 5],
  restore: [restore, 4],
} as const

/** The kind codes the scripts compare, from the engine's one table (a stored kind is a decimal string). */
const KIND_CONSTANTS = `local KIND_INT, KIND_FLOAT = '${VALUE_KIND_CODES.int}', '${VALUE_KIND_CODES.float}'`

export type ScriptName = keyof typeof SCRIPTS
export type ScriptArg = string | number | Uint8Array

interface Script {
  lua: string
  sha: string
  numberOfKeys: number
}

const LOADED = new Map<ScriptName, Script>(
  Object.entries(SCRIPTS).map(([name, [source, numberOfKeys]]) => {
    const lua = `${KIND_CONSTANTS}\n${common}\n${source}`
    return [name as ScriptName, { lua, sha: createHash('sha1').update(lua).digest('hex'), numberOfKeys }]
  }),
)

type Sender = (...args: unknown[]) => Promise<unknown>

/**
 * Runs a script: EVALSHA, and EVAL only when Redis answers NOSCRIPT (after a restart or SCRIPT
 * FLUSH: the script did not run, so sending it again cannot apply it twice). Each call starts with a
 * key (the number of keys is fixed per script), so ioredis routes and auto-pipelines it in a cluster
 * by that key. With `buffers`, bulk replies come back as Buffers.
 */
export function runScript(
  client: Redis | Cluster,
  name: ScriptName,
  keysAndArgs: unknown[],
  buffers: boolean,
): Promise<unknown> {
  const script = LOADED.get(name)!
  const send = (command: string, first: string) =>
    (client as unknown as Record<string, Sender>)[buffers ? `${command}Buffer` : command]!.call(
      client,
      first,
      script.numberOfKeys,
      ...keysAndArgs,
    )
  return send('evalsha', script.sha).catch((error: Error) => {
    if (!String(error?.message).startsWith('NOSCRIPT')) throw error
    return send('eval', script.lua)
  })
}
