// Every dialect kvgate speaks. Config decides which are enabled and where they answer.

import type { Dialect } from '../core/dialect.ts'
import { cloudkvDialect } from './cloudkv-compat/index.ts'
import { lightKv } from './lightkv-compat/index.ts'
import { workersKvDialect } from './workers-kv-compat/index.ts'

export const dialects: Dialect[] = [cloudkvDialect, lightKv, workersKvDialect]
