// The access matrix of the contract: which principal may do what on a bucket. Public operations
// are open to anyone without a credential; a token always narrows (its permissions and prefix
// apply even where the bucket is public), and never grants management operations.

import { startsWith } from '../../core/engine/bytes.ts'
import type { Bucket } from './bucket.ts'
import type { Principal } from './credentials.ts'
import { kvdbError, messages } from './errors.ts'
import type { TokenPermission } from './tokens.ts'

export type Operation =
  | 'read'
  | 'write'
  | 'list'
  | 'updatePolicy'
  | 'deleteBucket'
  | 'mintToken'
  | 'manageScripts'
  | 'runScript'

const TOKEN_PERMISSION: Partial<Record<Operation, TokenPermission>> = {
  read: 'read',
  write: 'write',
  list: 'enumerate',
}

export function isAllowed(operation: Operation, bucket: Bucket, principal: Principal): boolean {
  const { secretKey, readKey, writeKey } = bucket.settings
  if (operation === 'runScript') return true
  if (principal.type === 'token') {
    const needed = TOKEN_PERMISSION[operation]
    return needed !== undefined && principal.permissions.has(needed)
  }
  const role = principal.type === 'key' ? principal.role : null
  switch (operation) {
    case 'read':
      return !readKey || role !== null
    case 'write':
      return !writeKey || role === 'secret' || role === 'write'
    case 'list':
      return (!secretKey && !readKey) || role === 'secret' || (!secretKey && role !== null)
    case 'deleteBucket':
      return !secretKey || role === 'secret'
    case 'updatePolicy':
    case 'mintToken':
    case 'manageScripts':
      return role === 'secret'
  }
}

/** Throws 403 unless the principal may perform the operation. */
export function authorize(operation: Operation, bucket: Bucket, principal: Principal): void {
  if (!isAllowed(operation, bucket, principal)) throw kvdbError(403, messages.blocked)
}

/** Throws 403 when a token's prefix does not cover the key. */
export function authorizeKey(principal: Principal, key: Uint8Array): void {
  if (principal.type === 'token' && !startsWith(key, principal.prefix)) throw kvdbError(403, messages.blocked)
}
