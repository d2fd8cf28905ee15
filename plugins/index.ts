// Every dialect kvgate speaks. Config decides which are enabled and where they answer.

import type { Dialect } from '../core/dialect.ts'
import { cloudkvDialect } from './cloudkv-compat/index.ts'
import { kvdbDialect } from './kvdb-compat/index.ts'
import { lightkvDialect } from './lightkv-compat/index.ts'
import { rocketstackDialect } from './rocketstack-compat/index.ts'
import { workersKvDialect } from './workers-kv-compat/index.ts'

export const dialects: Dialect[] = [
  cloudkvDialect,
  kvdbDialect,
  lightkvDialect,
  rocketstackDialect,
  workersKvDialect,
]
