// Every dialect's benchmark. Adding a dialect is one file and one line here; a dialect that kvgate
// does not have yet (its plugin is not on this branch) is skipped with a line in the output.

import { cloudkv } from './cloudkv.ts'
import { kvdb } from './kvdb.ts'
import { lightkv } from './lightkv.ts'
import { rocketstack } from './rocketstack.ts'
import type { DialectBench } from './types.ts'
import { workersKv } from './workers-kv.ts'

export const dialectBenches: DialectBench[] = [cloudkv, kvdb, lightkv, rocketstack, workersKv]
