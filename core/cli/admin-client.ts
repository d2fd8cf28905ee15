// The admin HTTP API as the command line calls it with --url (KVGATE_URL): `kvgate admin` and
// `kvgate data` reach a running server the same way, and read its errors the same way.

import { UsageError } from './fail.ts'

/** A request to the server's /admin API with the admin token; an unreachable server is a UsageError. */
export async function callAdmin(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  try {
    return await fetch(`${url.replace(/\/+$/, '')}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    throw new UsageError(`cannot reach ${url}: ${(error as Error).message}`)
  }
}

/** The `error` of an admin API answer's JSON body, when it has one. */
export async function errorOf(response: Response): Promise<string | undefined> {
  const answer = (await response.json().catch(() => null)) as { error?: string } | null
  return answer?.error
}
