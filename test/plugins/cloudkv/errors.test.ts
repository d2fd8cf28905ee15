// How CloudKV answers each engine error and the core's own refusals: the contract's status in its
// {"message"} shape. CloudKV checks its own limits first, so most engine errors cannot be reached by
// a request; the table is checked code by code, and the engine's too_large also through HTTP, with
// the engine's value limit set below the dialect's.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import {
  ConflictError,
  type EngineError,
  InvalidError,
  NotFoundError,
  QuotaExceededError,
  TooLargeError,
  TypeMismatchError,
  UnavailableError,
} from '../../../core/engine/errors.ts'
import { toHttpError } from '../../../core/http/error-table.ts'
import { MalformedBodyError, RateLimitedError } from '../../../core/http/errors.ts'
import { cloudkvErrors } from '../../../plugins/cloudkv-compat/errors.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { CLOUDKV_MOUNTS, type CloudkvHarness, cloudkvHarness } from './support.ts'

const answer = async (error: unknown) => {
  const response = cloudkvErrors.body(toHttpError(cloudkvErrors.table, error, 'request-1'), 'request-1')
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.json(),
  }
}

describe('cloudkv: the error table', () => {
  const cases: Array<[EngineError, number, string]> = [
    [new NotFoundError('namespace', 'namespace not found'), 404, 'bucket not found'],
    [
      new ConflictError('busy', 'namespace is changing too often; try again'),
      409,
      'namespace is changing too often; try again',
    ],
    [new TooLargeError('value', 'value is longer than 4096 bytes'), 413, 'value is longer than 4096 bytes'],
    [new InvalidError('expiry', 'ttl must be positive'), 400, 'ttl must be positive'],
    [new TypeMismatchError('not-a-number'), 400, 'value is not a number'],
    [new QuotaExceededError('keys'), 403, 'key quota exceeded'],
    [new UnavailableError('unreachable', 'connect ECONNREFUSED 127.0.0.1:6379'), 503, 'store unavailable'],
  ]
  for (const [error, status, message] of cases) {
    test(`engine ${error.code} is ${status}`, async () => {
      expect(await answer(error)).toEqual({
        status,
        type: 'application/json; charset=utf-8',
        body: { message },
      })
    })
  }

  test('anything unexpected is 500 "internal error", saying nothing of what went wrong', async () => {
    expect(await answer(new TypeError('secret detail'))).toEqual({
      status: 500,
      type: 'application/json; charset=utf-8',
      body: { message: 'internal error' },
    })
  })

  test("the core's refusals keep their status and answer in the same shape", async () => {
    expect((await answer(new MalformedBodyError('x'))).body).toEqual({ message: 'request not parseable' })
    const limited = toHttpError(cloudkvErrors.table, new RateLimitedError(7), 'request-1')
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '7'])
  })
})

describeEachStoreAndMount(
  'cloudkv: an engine value limit below the dialect’s',
  CLOUDKV_MOUNTS,
  (store, mount) => {
    let h: CloudkvHarness
    let bucket: string
    beforeAll(async () => {
      // Below CloudKV's own 1 MiB, and still room for the records of accounts and buckets.
      h = cloudkvHarness(store, { mount, env: { KVGATE_MAX_VALUE_BYTES: '4096' } })
      bucket = await h.bucket((await h.account()).key, 'public')
    })
    afterAll(() => h.kvgate.close())

    test("the engine's too_large is 413 in CloudKV's shape, and nothing is stored", async () => {
      const response = await h.call('PUT', `/kv/${bucket}/k`, { body: 'v'.repeat(4097) })
      expect(response.status).toBe(413)
      expect(await response.json()).toEqual({ message: 'value is longer than 4096 bytes' })
      expect((await h.call('GET', `/kv/${bucket}/k`)).status).toBe(404)
      expect((await h.call('PUT', `/kv/${bucket}/k`, { body: 'v'.repeat(4096) })).status).toBe(200)
    })
  },
)
