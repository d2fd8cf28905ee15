import { SqliteBackend } from '../../core/engine/sqlite.ts'
import { engineConformance } from './conformance.ts'

engineConformance('sqlite', { backend: () => new SqliteBackend({ path: ':memory:' }) })
