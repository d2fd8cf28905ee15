// Shared set-up of the Workers KV black-box tests: a kvgate per store, an account, and shorthands
// for the v4 envelope.

import { expect } from 'bun:test'
import type { Clock } from '../../../core/engine/types.ts'
import { workersKvDialect } from '../../../plugins/workers-kv-compat/index.ts'
import { type TestKvgate, testKvgate } from '../../support/kvgate.ts'
import { type MountedKvgate, mountedKvgate, type TestMount, testMounts } from '../../support/mounts.ts'
import type { TestStore } from '../../support/stores.ts'

export const DEFAULT_PREFIX = '/client/v4'

/** Where the suites mount Workers KV: its default prefix, another one, and a host of its own. */
export const MOUNTS = testMounts('workers-kv', DEFAULT_PREFIX)

export interface Account {
  id: string
  token: string
  auth: { authorization: string }
  /** `/client/v4/accounts/{id}/storage/kv/namespaces` */
  ns: string
}

export function openKvgate(
  store: TestStore,
  env: Record<string, string> = {},
  clock?: Clock,
  mount: TestMount = MOUNTS[0]!,
): MountedKvgate {
  const kvgate = testKvgate([workersKvDialect], { ...store.env, ...mount.env, ...env }, { clock })
  return mountedKvgate(kvgate, mount, DEFAULT_PREFIX)
}

export async function newAccount(kvgate: TestKvgate, name?: string): Promise<Account> {
  const { account_id, credentials } = await kvgate.createAccount('workers-kv', name)
  const token = credentials.api_token!
  return {
    id: account_id,
    token,
    auth: { authorization: `Bearer ${token}` },
    ns: `${DEFAULT_PREFIX}/accounts/${account_id}/storage/kv/namespaces`,
  }
}

export async function createNamespace(kvgate: TestKvgate, account: Account, title: string): Promise<string> {
  const response = await kvgate.fetch(account.ns, {
    method: 'POST',
    headers: account.auth,
    body: JSON.stringify({ title }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { result: { id: string } }).result.id
}

/** Asserts a v4 error envelope with one error. */
export async function expectError(
  response: Response,
  status: number,
  code: number,
  message?: string | RegExp,
) {
  const body = (await response.json()) as {
    success: boolean
    errors: Array<{ code: number; message: string }>
    result: unknown
    messages: unknown[]
  }
  expect({ status: response.status, code: body.errors[0]?.code }).toEqual({ status, code })
  expect(body.success).toBe(false)
  expect(body.result).toBeNull()
  expect(body.messages).toEqual([])
  if (typeof message === 'string') expect(body.errors[0]!.message).toBe(message)
  else if (message) expect(body.errors[0]!.message).toMatch(message)
  return body
}

/** Asserts a v4 success envelope and returns it. */
export async function expectOk(
  response: Response,
): Promise<{ result: any; result_info?: any; messages: any[] }> {
  const text = await response.text()
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text}`)
  const body = JSON.parse(text)
  expect(body.success).toBe(true)
  expect(body.errors).toEqual([])
  return body
}
