// Every KVdb route, by what the path points at. A sub-resource below buckets (tokens, scripts) is
// one file exporting a SubResource, listed here.

import type { SubResource } from '../context.ts'
import { scripts } from './scripts.ts'
import { tokens } from './tokens.ts'

export { bucketMethods } from './bucket.ts'
export { keyMethods } from './keys.ts'
export { rootMethods } from './root.ts'

export const subResources: SubResource[] = [tokens, scripts]
