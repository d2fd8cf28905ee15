// Keys "." and ".." in a path, sent byte for byte over a socket (as curl --path-as-is or Go's
// net/http send them): the server's URL parser resolves them before routing, so `values/..` arrives
// as the namespace's own path with a trailing slash. It must answer Cloudflare's 400 10001 for the
// key and never read, rename or delete the namespace.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { jsonOf, rawRequest, sendRaw } from '../../support/hostile.ts'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import {
  type Account,
  createNamespace,
  DEFAULT_PREFIX,
  expectOk,
  MOUNTS,
  newAccount,
  openKvgate,
} from './helpers.ts'

describeEachStoreAndMount('workers-kv dot segments over a socket', MOUNTS, (store, mount) => {
  const kv = openKvgate(store, {}, undefined, mount)
  const server = listenTestKvgate(kv)
  let account: Account
  let ns: string
  /** The namespace path as a client of this mount sends it. */
  let base: string

  beforeAll(async () => {
    account = await newAccount(kv)
    ns = await createNamespace(kv, account, 'dots')
    base = `${mount.prefix}${account.ns.slice(DEFAULT_PREFIX.length)}/${ns}`
    for (const key of ['x', 'b']) {
      await expectOk(
        await kv.fetch(`${account.ns}/${ns}/values/${key}`, {
          method: 'PUT',
          headers: account.auth,
          body: key,
        }),
      )
    }
  })
  afterAll(async () => {
    await server.stop()
    await kv.close()
  })

  const send = async (method: string, path: string, body?: string) => {
    const headers: Array<[string, string]> = [['Authorization', account.auth.authorization]]
    const answer = await sendRaw(server.url, rawRequest(method, path, headers, body, mount.host))
    if (!answer) throw new Error(`${method} ${path}: no answer`)
    return { status: answer.status, body: jsonOf(answer.body) }
  }

  test('a key ".." (any spelling) answers 400 10001 Illegal key name for every method', async () => {
    for (const section of ['values', 'metadata']) {
      for (const dots of ['..', '%2E%2E', '%2e%2E', '%2e%2e', 'x/..', 'x/%2E%2E']) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          if (section === 'metadata' && method !== 'GET') continue
          const path = `${base}/${section}/${dots}`
          const answer = await send(method, path, method === 'PUT' ? '{"title":"renamed"}' : undefined)
          const error = answer.body?.errors?.[0]
          // "x/.." leaves values/ itself, an empty key; ".." alone leaves the namespace path.
          const message = dots.startsWith('x/')
            ? 'Key names must not be empty'
            : 'Illegal key name "..". Please use a different name.'
          expect({ path, method, status: answer.status, code: error?.code, message: error?.message }).toEqual(
            {
              path,
              method,
              status: 400,
              code: 10001,
              message,
            },
          )
        }
      }
    }
  })

  test('a key "." (any spelling) is an empty key: 400 10001', async () => {
    for (const dot of ['.', '%2E', '%2e']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const answer = await send(method, `${base}/values/${dot}`, method === 'PUT' ? 'v' : undefined)
        expect({ dot, method, status: answer.status, code: answer.body?.errors?.[0]?.code }).toEqual({
          dot,
          method,
          status: 400,
          code: 10001,
        })
      }
    }
  })

  test('afterwards the namespace, its title and its keys are intact', async () => {
    const { result } = await expectOk(await kv.fetch(`${account.ns}/${ns}`, { headers: account.auth }))
    expect(result.title).toBe('dots')
    for (const key of ['x', 'b']) {
      const value = await kv.fetch(`${account.ns}/${ns}/values/${key}`, { headers: account.auth })
      expect(await value.text()).toBe(key)
    }
  })
})
