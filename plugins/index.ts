// Every dialect kvgate speaks. Config decides which are enabled and where they answer.

import type { Dialect } from '../core/dialect.ts'
import { rocketstackDialect } from './rocketstack-compat/index.ts'

export const dialects: Dialect[] = [rocketstackDialect]
