// The engine's small helpers, where a slip would not show through any one backend: byte order and
// prefixes, counter arithmetic, the canonical forms of list elements (stored, so they must not
// drift), the SQLite read cache's bounds, error defaults, and what opening a store says on failure.

import { describe, expect, test } from 'bun:test'
import {
  compareBytes,
  concatBytes,
  fromUtf8,
  fromUtf8Strict,
  startsWith,
  utf8,
} from '../../core/engine/bytes.ts'
import { canonicalPrimitive } from '../../core/engine/canonical-json.ts'
import {
  ConflictError,
  EngineError,
  InvalidError,
  NotFoundError,
  QuotaExceededError,
  TooLargeError,
  TypeMismatchError,
  UnavailableError,
} from '../../core/engine/errors.ts'
import { addToStored, inInt64 } from '../../core/engine/numbers.ts'
import { MAX_CACHED_VALUE_BYTES, ReadCache } from '../../core/engine/sqlite/read-cache.ts'
import { openBackend, StoreOpenError } from '../../core/engine/store.ts'
import type { Entry } from '../../core/engine/types.ts'
import { VALUE_KINDS } from '../../core/engine/types.ts'

const b = (...values: number[]) => new Uint8Array(values)

describe('bytes', () => {
  test('compareBytes orders bytewise, a prefix first', () => {
    expect(compareBytes(b(1, 2), b(1, 3))).toBeLessThan(0)
    expect(compareBytes(b(1, 3), b(1, 2))).toBeGreaterThan(0)
    expect(compareBytes(b(1, 2), b(1, 2, 0))).toBeLessThan(0)
    expect(compareBytes(b(1, 2, 0), b(1, 2))).toBeGreaterThan(0)
    expect(compareBytes(b(0xff), b(1, 2, 3))).toBeGreaterThan(0)
    expect(compareBytes(b(1, 2), b(1, 2))).toBe(0)
  })

  test('startsWith compares every byte of the prefix and nothing past the bytes', () => {
    expect(startsWith(b(1, 2, 3), b(1, 2))).toBe(true)
    expect(startsWith(b(1, 2, 3), b())).toBe(true)
    expect(startsWith(b(1, 2), b(1, 2))).toBe(true)
    expect(startsWith(b(1, 2), b(1, 2, 3))).toBe(false)
    expect(startsWith(b(1, 2, 3), b(1, 3))).toBe(false)
    expect(startsWith(b(1, 2, 3), b(2, 2))).toBe(false)
  })

  test('concatBytes joins in order', () => {
    expect(Array.from(concatBytes(b(1), b(), b(2, 3), b(4)))).toEqual([1, 2, 3, 4])
  })

  test('decoding keeps a leading U+FEFF; the strict decoder refuses invalid UTF-8', () => {
    expect(fromUtf8(utf8('\uFEFFx'))).toBe('\uFEFFx')
    expect(fromUtf8Strict(utf8('\uFEFFx'))).toBe('\uFEFFx')
    expect(fromUtf8(b(0xff))).toBe('\uFFFD')
    expect(fromUtf8Strict(b(0xff))).toBeNull()
  })
})

describe('counters', () => {
  test('int64 bounds are inclusive', () => {
    expect(inInt64(-(2n ** 63n))).toBe(true)
    expect(inInt64(-(2n ** 63n) - 1n)).toBe(false)
    expect(inInt64(2n ** 63n - 1n)).toBe(true)
    expect(inInt64(2n ** 63n)).toBe(false)
  })

  test('text, json and bytes are not numbers; a float plus an int is a float', () => {
    for (const kind of ['text', 'json', 'bytes'] as const) {
      expect(() => addToStored({ kind, text: '1' }, { type: 'int', by: 1n })).toThrow('value is not a number')
    }
    expect(addToStored({ kind: 'float', text: '1.5' }, { type: 'int', by: 1n })).toEqual({
      kind: 'float',
      value: 2.5,
      text: '2.5',
    })
    expect(addToStored(null, { type: 'float', by: 0.25 })).toEqual({
      kind: 'float',
      value: 0.25,
      text: '0.25',
    })
  })
})

describe('canonical list elements', () => {
  test('are stored forms that must not change', () => {
    const cases: Array<[string, string]> = [
      ['0', 'n0'],
      ['-0.0', 'n0'],
      ['0.5', 'n5e0'],
      ['5e-1', 'n5e0'],
      ['0.001', 'n1e-2'],
      ['1e-3', 'n1e-2'],
      ['100', 'n1e3'],
      ['1e+2', 'n1e3'],
      ['1E10', 'n1e11'],
      ['-12.50', 'n-125e2'],
      [' 7 ', 'n7e1'],
      ['"a"', 's"a"'],
      [' "b" ', 's"b"'],
      ['true', 'true'],
      ['null', 'null'],
    ]
    for (const [text, canon] of cases) expect([text, canonicalPrimitive(text)]).toEqual([text, canon])
  })

  test('anything but one JSON primitive is invalid', () => {
    for (const text of ['1x', 'x1', '01', '1.', '.5', '1e', '"a', '"a"b', '[1]', '{}', 'True', '']) {
      let error: unknown
      try {
        canonicalPrimitive(text)
      } catch (caught) {
        error = caught
      }
      expect([text, (error as InvalidError | undefined)?.message]).toEqual([text, 'not a JSON primitive'])
    }
  })
})

describe('the SQLite read cache', () => {
  const entry = (size: number): Entry => ({
    key: utf8('k'),
    value: new Uint8Array(size),
    kind: 'bytes',
    contentType: null,
    metadata: null,
    version: 1,
    updatedAt: 0,
    expiresAt: null,
  })

  test('keeps hits and known misses, but not values over its size bound', () => {
    const cache = new ReadCache(() => 0)
    expect(cache.get('ns', utf8('k'))).toBeUndefined()
    cache.set('ns', utf8('k'), null)
    expect(cache.get('ns', utf8('k'))).toBeNull()
    cache.set('ns', utf8('k'), entry(MAX_CACHED_VALUE_BYTES))
    expect(cache.get('ns', utf8('k'))?.value.length).toBe(16 * 1024)
    cache.set('ns', utf8('big'), entry(MAX_CACHED_VALUE_BYTES + 1))
    expect(cache.get('ns', utf8('big'))).toBeUndefined()
    expect(cache.get('other', utf8('k'))).toBeUndefined()
    cache.forget('ns', utf8('k'))
    expect(cache.get('ns', utf8('k'))).toBeUndefined()
  })

  test('holds 20,000 keys and then drops the oldest not read since, keeping those read', () => {
    const cache = new ReadCache(() => 0)
    const key = (i: number) => utf8(`k${i}`)
    // The first look reads the store's data version, which empties the cache: done before filling it.
    cache.get('ns', key(0))
    for (let i = 0; i < 20_000; i++) cache.set('ns', key(i), null)
    expect(cache.get('ns', key(0))).toBeNull()
    cache.set('ns', key(20_000), null)
    expect(cache.get('ns', key(0))).toBeNull()
    expect(cache.get('ns', key(1))).toBeUndefined()
    expect(cache.get('ns', key(2))).toBeNull()
    expect(cache.get('ns', key(20_000))).toBeNull()
    cache.clear()
    expect(cache.get('ns', key(2))).toBeUndefined()
  })
})

describe('errors and opening stores', () => {
  test('each error has its code and a default message', () => {
    const defaults = [
      [new NotFoundError('namespace'), 'not_found', 'not found'],
      [new ConflictError(), 'conflict', 'conflict'],
      [new TooLargeError('value'), 'too_large', 'too large'],
      [new InvalidError('key'), 'invalid', 'invalid'],
      [new TypeMismatchError('not-a-number'), 'type_mismatch', 'value is not a number'],
      [new QuotaExceededError(), 'quota_exceeded', 'key quota exceeded'],
      [new UnavailableError('closed'), 'unavailable', 'store unavailable'],
    ] as const
    for (const [error, code, message] of defaults) {
      expect(error).toBeInstanceOf(EngineError)
      expect([error.name, error.code, error.message]).toEqual(['EngineError', code, message])
    }
    expect(new ConflictError('version', 'x', 2).opIndex).toBe(2)
  })

  test('a store that cannot be opened says which one and why', () => {
    const failure = (open: () => unknown) => {
      try {
        open()
      } catch (error) {
        expect(error).toBeInstanceOf(StoreOpenError)
        return (error as Error).message
      }
      throw new Error('expected the store not to open')
    }
    expect(
      failure(() => openBackend({ type: 'sqlite', path: '/proc/kvgate/no.db', synchronous: 'normal' })),
    ).toStartWith('cannot open the data file /proc/kvgate/no.db: ')
    expect(failure(() => openBackend({ type: 'redis', url: 'redis://127.0.0.1:1', prefix: 'a{b' }))).toBe(
      'cannot open the redis store: a Redis key prefix must not contain "{" or "}": a{b',
    )
    expect(failure(() => openBackend({ type: 'redis-cluster', nodes: ['127.0.0.1:1'], prefix: '}' }))).toBe(
      'cannot open the redis-cluster store: a Redis key prefix must not contain "{" or "}": }',
    )
  })

  test('value kinds in their stored order', () => {
    expect(VALUE_KINDS).toEqual(['bytes', 'text', 'json', 'int', 'float'])
  })
})
