// Every dialect kvgate speaks. Config decides which are enabled and where they answer.

import type { Dialect } from '../core/dialect.ts'
import { workersKvDialect } from './workers-kv-compat/index.ts'

export const dialects: Dialect[] = [workersKvDialect]
