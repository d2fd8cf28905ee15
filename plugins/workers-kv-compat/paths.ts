// The paths this dialect answers, relative to its base URL, and the key taken from a raw path.
// Knowing the paths lets an unknown method on a known path answer 405 rather than 404.

import { percentDecodeBytes, rawPath } from '../../core/http/path.ts'

const SEGMENT = '[^/]+'
const NS = `/accounts/${SEGMENT}/storage/kv/namespaces`

const KNOWN = [
  '/user/tokens/verify',
  '/accounts',
  '/memberships',
  `/accounts/${SEGMENT}/tokens/verify`,
  NS,
  `${NS}/${SEGMENT}`,
  `${NS}/${SEGMENT}/keys`,
  `${NS}/${SEGMENT}/values/.*`,
  `${NS}/${SEGMENT}/metadata/.*`,
  `${NS}/${SEGMENT}/bulk`,
  `${NS}/${SEGMENT}/bulk/delete`,
  `${NS}/${SEGMENT}/bulk/get`,
].map((pattern) => new RegExp(`^${pattern}/?$`))

export const isKnownPath = (path: string) => KNOWN.some((pattern) => pattern.test(path))

const NAMESPACES = '/storage/kv/namespaces/'

/**
 * The key named by everything after /values/ or /metadata/ in the raw path, percent-decoded once
 * (so %2F is a "/" inside the key, and a literal "/" is one too).
 */
export function keyFromPath(url: string, section: 'values' | 'metadata'): Uint8Array {
  const path = rawPath(url)
  const namespaceStart = path.indexOf(NAMESPACES) + NAMESPACES.length
  const sectionStart = path.indexOf('/', namespaceStart) + 1
  return percentDecodeBytes(path.slice(sectionStart + section.length + 1))
}
