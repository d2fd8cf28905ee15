// The Redis backend's Lua scripts, imported as text so the compiled binary carries them, each
// prefixed with the shared helpers and registered with ioredis defineCommand (EVALSHA, reloaded
// by ioredis when Redis has lost the script cache).

import type { Cluster, Redis } from 'ioredis'
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
import scan from './scan.lua' with { type: 'text' }
import sweep from './sweep.lua' with { type: 'text' }

/** Each script with its number of declared keys (see the KEYS line at the top of each file). */
const SCRIPTS = {
  put: [put, 4],
  delete: [del, 3],
  increment: [increment, 5],
  batch: [batch, 3],
  scan: [scan, 1],
  count: [count, 2],
  listWrite: [listWrite, 3],
  listAdd: [listAdd, 3],
  listRemove: [listRemove, 3],
  listRead: [listRead, 3],
  listDelete: [listDelete, 3],
  drop: [drop, 4],
  sweep: [sweep, 2],
} as const

export type ScriptName = keyof typeof SCRIPTS
export type ScriptArg = string | number | Uint8Array

/**
 * Registers every script on a client as `kvgate<Name>` (and `kvgate<Name>Buffer`). The number of
 * keys is fixed per script, so each call starts with a key: ioredis routes and auto-pipelines a
 * command in a cluster by its first argument.
 */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, [source, numberOfKeys]] of Object.entries(SCRIPTS)) {
    client.defineCommand(commandName(name as ScriptName), { lua: `${common}\n${source}`, numberOfKeys })
  }
}

export const commandName = (name: ScriptName) => `kvgate${name[0]!.toUpperCase()}${name.slice(1)}`
