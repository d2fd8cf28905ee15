// The Redis backend's Lua scripts, imported as text so the compiled binary carries them, each
// prefixed with the shared helpers and registered with ioredis defineCommand (EVALSHA, reloaded
// by ioredis when Redis has lost the script cache).

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

/**
 * Registers every script on a client as `kvgate<Name>` (and `kvgate<Name>Buffer`). The number of
 * keys is fixed per script, so each call starts with a key: ioredis routes and auto-pipelines a
 * command in a cluster by its first argument.
 */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, [source, numberOfKeys]] of Object.entries(SCRIPTS)) {
    client.defineCommand(commandName(name as ScriptName), {
      lua: `${KIND_CONSTANTS}\n${common}\n${source}`,
      numberOfKeys,
    })
  }
}

export const commandName = (name: ScriptName) => `kvgate${name[0]!.toUpperCase()}${name.slice(1)}`
