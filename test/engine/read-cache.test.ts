// The SQLite read cache finds slots by a 32-bit hash: a hit must still be the very key asked for.

import { expect, test } from 'bun:test'
import { utf8 } from '../../core/engine/bytes.ts'
import { ReadCache, slotHash } from '../../core/engine/sqlite/read-cache.ts'
import { textEntry } from '../support/entries.ts'

/**
 * Two keys of one slot hash in namespace ns: among 300,000 keys of scattered bytes a 32-bit hash
 * repeats about ten times (the keys are the same on every run, so the search always ends alike).
 */
function collidingKeys(ns: string): [Uint8Array, Uint8Array] {
  const seen = new Map<number, Uint8Array>()
  let state = 1
  for (let i = 0; i < 300_000; i++) {
    const key = new Uint8Array(6).map(() => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state >>> 24
    })
    const hash = slotHash(ns, key)
    const earlier = seen.get(hash)
    if (earlier) return [earlier, key]
    seen.set(hash, key)
  }
  throw new Error('no two keys share a hash')
}

test('two keys of one hash never answer for each other', () => {
  const cache = new ReadCache(() => 0)
  const [a, b] = collidingKeys('ns')
  expect(cache.get('ns', a)).toBeUndefined()
  cache.set('ns', a, textEntry(a, 'a'))
  expect(cache.get('ns', b)).toBeUndefined()
  expect(cache.get('other', a)).toBeUndefined()
  expect(cache.get('ns', a)?.value).toEqual(utf8('a'))
  cache.set('ns', b, null)
  expect(cache.get('ns', a)).toBeUndefined()
  expect(cache.get('ns', b)).toBeNull()
})

test('a caller reusing its key buffer does not change what the cache holds', () => {
  const cache = new ReadCache(() => 0)
  const key = utf8('abc')
  expect(cache.get('ns', key)).toBeUndefined()
  cache.set('ns', key, null)
  key[0] = 0x78
  expect(cache.get('ns', key)).toBeUndefined()
  expect(cache.get('ns', utf8('abc'))).toBeNull()
})

test('a commit by another connection empties the cache at the next look', async () => {
  let dataVersion = 1
  const cache = new ReadCache(() => dataVersion)
  const key = utf8('k')
  expect(cache.get('ns', key)).toBeUndefined()
  cache.set('ns', key, textEntry(key, 'v'))
  expect(cache.get('ns', key)).not.toBeUndefined()
  dataVersion = 2
  await new Promise((resolve) => setImmediate(resolve))
  expect(cache.get('ns', key)).toBeUndefined()
})
