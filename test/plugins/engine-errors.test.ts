// Every dialect's answer to every engine error code, and to an unexpected failure. The dialects'
// own limits and checks answer first in normal use, so a store that fails on purpose reaches each
// mapping; a mapping nothing else exercises (CloudKV's too_large, KVdb's quota_exceeded) is pinned
// here, and so is the promise that no failure leaks its message or a stack trace as a 500.

import { afterAll, describe, expect, test } from 'bun:test'
import type { Dialect } from '../../core/dialect.ts'
import {
  ConflictError,
  type EngineErrorCode,
  InvalidError,
  NotFoundError,
  QuotaExceededError,
  TooLargeError,
  TypeMismatchError,
  UnavailableError,
} from '../../core/engine/errors.ts'
import { cloudkvDialect } from '../../plugins/cloudkv-compat/index.ts'
import { kvdbDialect } from '../../plugins/kvdb-compat/index.ts'
import { lightkvDialect } from '../../plugins/lightkv-compat/index.ts'
import { rocketstackDialect } from '../../plugins/rocketstack-compat/index.ts'
import { workersKvDialect } from '../../plugins/workers-kv-compat/index.ts'
import { faultyBackend } from '../support/faulty-backend.ts'
import { type TestKvgate, testKvgate } from '../support/kvgate.ts'

type Failure = EngineErrorCode | 'crash'

const FAILURES: Record<Failure, () => Error> = {
  not_found: () => new NotFoundError('namespace', 'planted not_found'),
  conflict: () => new ConflictError('version', 'planted conflict'),
  too_large: () => new TooLargeError('value', 'planted too_large'),
  invalid: () => new InvalidError('key', 'planted invalid'),
  type_mismatch: () => new TypeMismatchError('not-a-number', 'planted type_mismatch'),
  quota_exceeded: () => new QuotaExceededError('keys', 'planted quota_exceeded'),
  unavailable: () => new UnavailableError('unreachable', 'planted unavailable'),
  crash: () => new Error('planted crash'),
}

/** How a dialect reaches a key: a read and a write of the key "fault". */
interface Reach {
  read(): Promise<Response>
  write(): Promise<Response>
}

interface DialectCase {
  dialect: Dialect
  reach(kvgate: TestKvgate): Promise<Reach>
  /** Status and body (text, or parsed JSON) for each failure. */
  answers: Record<Failure, [number, unknown]>
  /** Where a write answers otherwise, because its route words the error itself. */
  writeAnswers?: Partial<Record<Failure, [number, unknown]>>
}

const requestId = (prefix: string) => expect.stringMatching(new RegExp(`^${prefix}\\S+\\)$`))
const kvdbText = (status: number, text: unknown): [number, unknown] => [status, text]
const cloudkv = (status: number, message: unknown): [number, unknown] => [status, { message }]
const workersKv = (status: number, code: number, message: string, messages: unknown[] = []) =>
  [status, { success: false, errors: [{ code, message }], messages, result: null }] as [number, unknown]
const lightkv = (status: number, code: string, message: unknown): [number, unknown] => [
  status,
  { ok: false, error: { code, message } },
]
const rocketstack = (status: number, code: string, message: unknown): [number, unknown] => [
  status,
  { error: { code, message } },
]

const CASES: DialectCase[] = [
  {
    dialect: kvdbDialect,
    async reach(kvgate) {
      const created = await kvgate.fetch('/kvdb/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=test@example.com',
      })
      const bucket = await created.text()
      return {
        read: () => kvgate.fetch(`/kvdb/${bucket}/fault`),
        write: () => kvgate.fetch(`/kvdb/${bucket}/fault`, { method: 'PUT', body: 'v' }),
      }
    },
    answers: {
      not_found: kvdbText(404, 'planted not_found'),
      invalid: kvdbText(400, 'planted invalid'),
      type_mismatch: kvdbText(400, 'planted type_mismatch'),
      too_large: kvdbText(413, 'value too large'),
      quota_exceeded: kvdbText(413, 'value too large'),
      conflict: kvdbText(503, 'service unavailable, try again later'),
      unavailable: kvdbText(503, 'service unavailable, try again later'),
      crash: kvdbText(500, requestId('internal error \\(request ')),
    },
  },
  {
    dialect: cloudkvDialect,
    async reach(kvgate) {
      const { credentials } = await kvgate.createAccount('cloudkv')
      const key = { 'api-key': credentials.api_key! }
      const form = new FormData()
      form.set('access', 'public')
      const created = await kvgate.fetch('/cloudkv/buckets', { method: 'POST', headers: key, body: form })
      const { bucket_id } = (await created.json()) as { bucket_id: string }
      return {
        read: () => kvgate.fetch(`/cloudkv/kv/${bucket_id}/fault`, { headers: key }),
        write: () =>
          kvgate.fetch(`/cloudkv/kv/${bucket_id}/fault`, { method: 'PUT', headers: key, body: 'v' }),
      }
    },
    answers: {
      // CloudKV names what is missing: the bucket (an engine not_found is always a namespace here).
      not_found: cloudkv(404, 'bucket not found'),
      invalid: cloudkv(400, 'planted invalid'),
      type_mismatch: cloudkv(400, 'planted type_mismatch'),
      too_large: cloudkv(413, 'planted too_large'),
      quota_exceeded: cloudkv(403, 'planted quota_exceeded'),
      conflict: cloudkv(409, 'planted conflict'),
      unavailable: cloudkv(503, 'store unavailable'),
      crash: cloudkv(500, 'internal error'),
    },
  },
  {
    dialect: workersKvDialect,
    async reach(kvgate) {
      const { account_id, credentials } = await kvgate.createAccount('workers-kv')
      const auth = { authorization: `Bearer ${credentials.api_token}` }
      const namespaces = `/client/v4/accounts/${account_id}/storage/kv/namespaces`
      const created = await kvgate.fetch(namespaces, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ title: 'faults' }),
      })
      const { result } = (await created.json()) as { result: { id: string } }
      const value = `${namespaces}/${result.id}/values/fault`
      return {
        read: () => kvgate.fetch(value, { headers: auth }),
        write: () => kvgate.fetch(value, { method: 'PUT', headers: auth, body: 'v' }),
      }
    },
    answers: {
      not_found: workersKv(404, 10013, 'namespace not found'),
      invalid: workersKv(400, 10001, 'planted invalid'),
      type_mismatch: workersKv(400, 10001, 'planted type_mismatch'),
      too_large: workersKv(413, 10001, 'planted too_large'),
      quota_exceeded: workersKv(400, 10001, 'planted quota_exceeded'),
      // Never 409: the SDK retries a 409.
      conflict: workersKv(400, 10001, 'planted conflict'),
      unavailable: workersKv(503, 10002, 'service unavailable'),
      crash: workersKv(500, 10002, 'internal error', [{ code: 10002, message: expect.any(String) }]),
    },
  },
  {
    dialect: lightkvDialect,
    async reach(kvgate) {
      const { credentials } = await kvgate.createAccount('lightkv')
      const auth = { authorization: `Bearer ${credentials.readwrite_token}` }
      return {
        read: () => kvgate.fetch('/lightkv/item/read?key=fault', { headers: auth }),
        write: () =>
          kvgate.fetch('/lightkv/item/write', {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ key: 'fault', value: 1 }),
          }),
      }
    },
    answers: {
      not_found: lightkv(404, 'NOT_FOUND', 'planted not_found'),
      invalid: lightkv(400, 'BAD_REQUEST', 'planted invalid'),
      type_mismatch: lightkv(400, 'BAD_REQUEST', 'planted type_mismatch'),
      too_large: lightkv(413, 'PAYLOAD_TOO_LARGE', 'planted too_large'),
      quota_exceeded: lightkv(400, 'BAD_REQUEST', 'planted quota_exceeded'),
      conflict: lightkv(400, 'BAD_REQUEST', 'planted conflict'),
      unavailable: lightkv(503, 'INTERNAL_ERROR', requestId('Store unavailable \\(request ')),
      crash: lightkv(500, 'INTERNAL_ERROR', requestId('Internal error \\(request ')),
    },
  },
  {
    dialect: rocketstackDialect,
    async reach(kvgate) {
      const { credentials } = await kvgate.createAccount('rocketstack')
      const auth = { authorization: `Bearer ${credentials.api_key}` }
      return {
        read: () => kvgate.fetch('/rocketstack/kv/items/fault', { headers: auth }),
        write: () =>
          kvgate.fetch('/rocketstack/kv/items/fault', {
            method: 'PUT',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ value: 1 }),
          }),
      }
    },
    answers: {
      not_found: rocketstack(404, 'NOT_FOUND', 'planted not_found'),
      invalid: rocketstack(400, 'BAD_REQUEST', 'planted invalid'),
      type_mismatch: rocketstack(400, 'BAD_REQUEST', 'planted type_mismatch'),
      too_large: rocketstack(413, 'PAYLOAD_TOO_LARGE', 'planted too_large'),
      quota_exceeded: rocketstack(403, 'QUOTA_EXCEEDED', 'planted quota_exceeded'),
      // RocketStack words a conflict by its reason and key (the planted one has no key).
      conflict: rocketstack(409, 'CONFLICT', "Version mismatch for key ''"),
      unavailable: rocketstack(503, 'INTERNAL', 'Store unavailable, retry later'),
      crash: rocketstack(500, 'INTERNAL', requestId('Internal error \\(request id ')),
    },
    writeAnswers: { conflict: rocketstack(409, 'CONFLICT', "Version mismatch for key 'fault'") },
  },
]

async function answerOf(response: Response): Promise<[number, unknown]> {
  const text = await response.text()
  const json = (response.headers.get('content-type') ?? '').includes('json')
  return [response.status, json ? JSON.parse(text) : text]
}

for (const { dialect, reach, answers, writeAnswers = {} } of CASES) {
  describe(`${dialect.name} renders every engine error`, () => {
    const store = faultyBackend()
    const kvgate = testKvgate([dialect], {}, { backend: store.backend })
    const reached = reach(kvgate)
    afterAll(() => kvgate.close())

    for (const [failure, expected] of Object.entries(answers)) {
      test(`${failure} on a read and on a write`, async () => {
        const { read, write } = await reached
        store.failWith(FAILURES[failure as Failure]())
        try {
          expect(await answerOf(await read())).toEqual(expected)
          expect(await answerOf(await write())).toEqual(writeAnswers[failure as Failure] ?? expected)
        } finally {
          store.failWith(null)
        }
        // The same key works again once the store does: the failure was the store's alone.
        expect((await write()).status).toBe(200)
        expect((await read()).status).toBe(200)
      })
    }
  })
}
