// `kvgate admin accounts ...`: the operator interface on the command line. It prints the same JSON
// as the /admin HTTP API, working on the configured store directly, or, given --url (KVGATE_URL),
// through a running server's /admin API with KVGATE_ADMIN_TOKEN.

import { Accounts } from '../auth/accounts.ts'
import { accountKinds, type Dialect } from '../dialect.ts'
import { isEngineError } from '../engine/errors.ts'
import { callAdmin } from './admin-client.ts'
import { UsageError } from './fail.ts'
import { openConfiguredEngine, parseStoreCommand, STORE_USAGE } from './store.ts'

export const ADMIN_USAGE = `usage:
  kvgate admin accounts create --dialect DIALECT [--name NAME]
  kvgate admin accounts list
  kvgate admin accounts rotate ID [--which read|readwrite|both]
  kvgate admin accounts delete ID
${STORE_USAGE}
remote server: --url http://HOST:PORT (or KVGATE_URL) with KVGATE_ADMIN_TOKEN`

type Operation =
  | { action: 'create'; dialect: string; name: string | null }
  | { action: 'list' }
  | { action: 'rotate'; id: string; which?: string }
  | { action: 'delete'; id: string }

/** Runs an admin command and returns what to print (null for nothing). */
export async function runAdmin(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: Dialect[],
): Promise<unknown> {
  const { values, positionals } = parseStoreCommand(
    argv,
    {
      dialect: { type: 'string' },
      name: { type: 'string' },
      which: { type: 'string' },
      url: { type: 'string' },
    },
    ADMIN_USAGE,
  )
  const operation = toOperation(positionals, values)
  const url = values.url ?? env.KVGATE_URL
  if (url) return remote(url, env.KVGATE_ADMIN_TOKEN, operation)

  const engine = openConfiguredEngine(values, env, dialects)
  try {
    const accounts = new Accounts(engine, accountKinds(dialects))
    switch (operation.action) {
      case 'create':
        return await accounts.create(operation.dialect, operation.name)
      case 'list':
        return await accounts.list()
      case 'rotate':
        return await accounts.rotate(operation.id, operation.which)
      case 'delete':
        if (!(await accounts.delete(operation.id))) throw new UsageError(`account ${operation.id} not found`)
        await engine.namespaces.drainDeleted()
        return null
    }
  } catch (error) {
    if (isEngineError(error)) throw new UsageError(error.message)
    throw error
  } finally {
    await engine.close()
  }
}

function toOperation(
  positionals: string[],
  values: { dialect?: string; name?: string; which?: string },
): Operation {
  const [group, action, id, ...extra] = positionals
  const usage = (problem: string) => new UsageError(`${problem}\n${ADMIN_USAGE}`)
  if (group !== 'accounts') throw usage(group ? `unknown admin command "${group}"` : 'missing admin command')
  if (extra.length > 0) throw usage(`unexpected "${extra.join(' ')}"`)
  switch (action) {
    case 'create':
      if (!values.dialect) throw usage('create needs --dialect')
      return { action, dialect: values.dialect, name: values.name ?? null }
    case 'list':
      return { action }
    case 'rotate':
    case 'delete':
      if (!id) throw usage(`${action} needs an account id`)
      return action === 'rotate' ? { action, id, which: values.which } : { action, id }
    default:
      throw usage(action ? `unknown accounts command "${action}"` : 'missing accounts command')
  }
}

async function remote(url: string, token: string | undefined, operation: Operation): Promise<unknown> {
  if (!token) throw new UsageError('KVGATE_ADMIN_TOKEN is needed to reach a server with --url')
  const request = (() => {
    switch (operation.action) {
      case 'create':
        return { method: 'POST', path: '', body: { dialect: operation.dialect, name: operation.name } }
      case 'list':
        return { method: 'GET', path: '' }
      case 'rotate':
        return { method: 'POST', path: `/${operation.id}/rotate`, body: { which: operation.which } }
      case 'delete':
        return { method: 'DELETE', path: `/${operation.id}` }
    }
  })()
  const response = await callAdmin(url, token, request.method, `/accounts${request.path}`, request.body)
  if (response.status === 204) return null
  const answer = (await response.json().catch(() => null)) as { error?: string } | null
  if (!response.ok) throw new UsageError(answer?.error ?? `server answered ${response.status}`)
  return answer
}
