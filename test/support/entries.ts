// Stored entries made by hand, for the tests of caches that hold them.

import { utf8 } from '../../core/engine/bytes.ts'
import type { Entry } from '../../core/engine/types.ts'

/** A version-1 text entry with no content type, metadata or expiry. */
export const textEntry = (key: Uint8Array, text: string): Entry => ({
  key,
  value: utf8(text),
  kind: 'text',
  contentType: null,
  metadata: null,
  version: 1,
  updatedAt: 0,
  expiresAt: null,
})
