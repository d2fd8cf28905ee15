// The store as one script run sees it: kvdb.get/set/delete/incr/list on the engine, with the same
// key, value and counter rules as the HTTP API, narrowed by the access token on the request (its
// permissions and prefix). A refusal or a bad argument is a Lua error the script may catch; store
// trouble aborts the run and answers like any other request.

import { fromUtf8, startsWith, utf8 } from '../../core/engine/bytes.ts'
import { isEngineError } from '../../core/engine/errors.ts'
import { formatFloat } from '../../core/engine/numbers.ts'
import type { ValueInput, ValueKind } from '../../core/engine/types.ts'
import { HttpError } from '../../core/http/errors.ts'
import { HostCallError } from '../../core/scripting/errors.ts'
import type { ScriptHost, ScriptValue } from '../../core/scripting/sandbox.ts'
import type { Bucket } from './bucket.ts'
import type { KvdbContext } from './context.ts'
import type { Principal } from './credentials.ts'
import { messages } from './errors.ts'
import type { TokenPermission } from './tokens.ts'
import { checkKey, expiryOf, MAX_TTL_SECONDS, rawValue } from './values.ts'

/** Engine errors a script caused (and may handle); the others (unavailable, ...) abort the run. */
const SCRIPT_FAULTS = new Set(['invalid', 'type_mismatch', 'too_large', 'quota_exceeded'])

export function scriptHost(ctx: KvdbContext, bucket: Bucket, principal: Principal): ScriptHost {
  const { engine, options } = ctx

  const permit = (permission: TokenPermission, fname: string) => {
    if (principal.type === 'token' && !principal.permissions.has(permission)) {
      throw new HostCallError(`kvdb.${fname}: the access token lacks the ${permission} permission`)
    }
  }

  const admit = (key: Uint8Array, permission: TokenPermission, fname: string) => {
    permit(permission, fname)
    checkKey(key, options.maxKeyBytes)
    if (principal.type === 'token' && !startsWith(key, principal.prefix)) {
      throw new HostCallError(`kvdb.${fname}: key "${fromUtf8(key)}" is outside the access token's prefix`)
    }
  }

  return {
    get: (key) =>
      asLuaError(async () => {
        admit(key, 'read', 'get')
        const entry = await engine.get(bucket.id, key)
        return entry ? scriptValue(entry.kind, entry.value) : null
      }),

    set: (key, value, ttlSeconds) =>
      asLuaError(async () => {
        admit(key, 'write', 'set')
        const input = valueInput(value)
        if (input.bytes.length > options.maxValueBytes)
          throw new HostCallError(`kvdb.set: ${messages.valueTooLarge}`)
        const ttl = ttlSeconds ?? bucket.settings.defaultTtl
        if (ttl > MAX_TTL_SECONDS) throw new HostCallError(`kvdb.set: ${messages.invalidTtl}`)
        await engine.put(bucket.id, key, input, expiryOf(ttl))
      }),

    delete: (key) =>
      asLuaError(async () => {
        admit(key, 'write', 'delete')
        await engine.delete(bucket.id, key)
      }),

    incr: (key, delta) =>
      asLuaError(async () => {
        admit(key, 'write', 'incr')
        const result = await engine.increment(bucket.id, key, delta, expiryOf(bucket.settings.defaultTtl))
        return result.value
      }),

    list: (query) =>
      asLuaError(async () => {
        permit('enumerate', 'list')
        let prefix = query.prefix ?? undefined
        if (principal.type === 'token') {
          // As over HTTP: a token lists below its prefix by default, and never outside it.
          if (prefix === undefined || prefix.length === 0) prefix = principal.prefix
          else if (!startsWith(prefix, principal.prefix)) {
            throw new HostCallError("kvdb.list: prefix is outside the access token's prefix")
          }
        }
        const { entries } = await engine.scan(bucket.id, {
          prefix: prefix?.length ? prefix : undefined,
          offset: query.skip ?? 0,
          limit: Math.min(query.limit ?? options.maxListLimit, options.maxListLimit),
          reverse: query.reverse,
          withValues: query.values,
        })
        if (!query.values) return entries.map((entry) => entry.key)
        return entries.map((entry): [Uint8Array, ScriptValue] => [
          entry.key,
          scriptValue(entry.kind, entry.value ?? new Uint8Array()),
        ])
      }),
  }
}

/** int values become Lua integers, float values Lua floats, everything else a string of the bytes. */
function scriptValue(kind: ValueKind, bytes: Uint8Array): ScriptValue {
  if (kind === 'int') return BigInt(fromUtf8(bytes))
  if (kind === 'float') return Number(fromUtf8(bytes))
  return bytes
}

/** A Lua integer is stored as an int, a float as a float, a string like a raw HTTP body. */
function valueInput(value: ScriptValue): ValueInput {
  if (typeof value === 'bigint') return { bytes: utf8(value.toString()), kind: 'int' }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new HostCallError('kvdb.set: a number value must be finite')
    return { bytes: utf8(formatFloat(value)), kind: 'float' }
  }
  return rawValue(value, null)
}

/** Turns the dialect's 400s and the engine errors a script caused into Lua errors. */
async function asLuaError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) throw new HostCallError(error.message)
    if (isEngineError(error) && SCRIPT_FAULTS.has(error.code)) throw new HostCallError(error.message)
    throw error
  }
}
