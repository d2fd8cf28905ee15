// Writes the hot keys of the GET and PUT scenarios through a front end itself, before any load.

import { type FrontEnd, HOT_KEYS, hotKey, VALUE_1K } from './scenarios.ts'
import type { HttpRequest } from './wrk.ts'

/** Writes the hot keys through the front end itself, 16 at a time. */
export async function seed(url: string, front: FrontEnd): Promise<void> {
  const send = async (request: HttpRequest) => {
    const response = await fetch(`${url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    })
    if (!response.ok)
      throw new Error(
        `seeding: ${request.method} ${request.path} answered ${response.status} ${(await response.text()).slice(0, 200)}`,
      )
    await response.arrayBuffer()
  }
  for (let from = 0; from < HOT_KEYS; from += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, HOT_KEYS - from) }, (_, i) =>
        send(front.putKey(hotKey(from + i), VALUE_1K)),
      ),
    )
  }
}
