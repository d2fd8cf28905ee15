// The scenarios, and what a front end (a kvgate dialect, or a peer server) provides to run them:
// one request builder per operation it has. A front end without an operation skips that scenario.

import type { HttpRequest } from './wrk.ts'

export type ScenarioName = 'get-hit' | 'get-miss' | 'put' | 'mix' | 'incr' | 'list' | 'list-add'

export interface Scenario {
  name: ScenarioName
  title: string
  /** The status every answer should have; anything else is counted as an error. */
  expect: 'ok' | 'not-found'
}

export const SCENARIOS: Scenario[] = [
  { name: 'get-hit', title: 'GET 1 KiB hit', expect: 'ok' },
  { name: 'get-miss', title: 'GET miss (404)', expect: 'not-found' },
  { name: 'put', title: 'PUT 1 KiB', expect: 'ok' },
  { name: 'mix', title: '90/10 GET/PUT', expect: 'ok' },
  { name: 'incr', title: 'increment one hot counter', expect: 'ok' },
  { name: 'list', title: 'list 100 keys by prefix of 1M', expect: 'ok' },
  { name: 'list-add', title: 'LightKV list add', expect: 'ok' },
]

/** Keys the GET and PUT scenarios cycle through; the hits are written before the load starts. */
export const HOT_KEYS = 1000
export const hotKey = (i: number) => `bench-${String(i).padStart(5, '0')}`
export const missKey = (i: number) => `absent-${String(i).padStart(5, '0')}`
export const VALUE_1K = 'v'.repeat(1024)

/** Keys of the listing namespace: k:0000000 ... ; a 5-digit prefix such as k:00042 matches 100. */
export const listKey = (i: number) => `k:${String(i).padStart(7, '0')}`
export const listPrefix = (i: number) => `k:${String(i).padStart(5, '0')}`

/** Requests of one front end, already bound to its namespace and credentials. */
export interface FrontEnd {
  getKey(key: string): HttpRequest
  putKey(key: string, value: string): HttpRequest
  increment?(key: string): HttpRequest
  /** Lists the keys under `prefix` in the listing namespace (100 per prefix). */
  listPrefix?(prefix: string): HttpRequest
  listAdd?(list: string, value: string): HttpRequest
}

/** The request set of a scenario on a front end, or null when it lacks the operation. */
export function requestsFor(scenario: ScenarioName, front: FrontEnd, listKeys: number): HttpRequest[] | null {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i)
  switch (scenario) {
    case 'get-hit':
      return shuffle(range(HOT_KEYS).map((i) => front.getKey(hotKey(i))))
    case 'get-miss':
      return shuffle(range(HOT_KEYS).map((i) => front.getKey(missKey(i))))
    case 'put':
      return shuffle(range(HOT_KEYS).map((i) => front.putKey(hotKey(i), VALUE_1K)))
    case 'mix':
      return shuffle(
        range(HOT_KEYS).map((i) =>
          i % 10 === 0 ? front.putKey(hotKey(i), VALUE_1K) : front.getKey(hotKey(i)),
        ),
      )
    case 'incr':
      return front.increment ? [front.increment('hot-counter')] : null
    case 'list': {
      if (!front.listPrefix || listKeys === 0) return null
      const prefixes = Math.max(1, Math.floor(listKeys / 100))
      // Spread over the whole namespace, so the load is not one cached page.
      return shuffle(
        range(Math.min(1000, prefixes)).map((i) =>
          front.listPrefix!(listPrefix(Math.floor((i * prefixes) / Math.min(1000, prefixes)))),
        ),
      )
    }
    case 'list-add':
      // 100 lists of at most 50 members: the set stays small, so every add answers a short list.
      return front.listAdd
        ? shuffle(range(1000).map((i) => front.listAdd!(`list-${i % 100}`, `member-${(i * 7) % 50}`)))
        : null
  }
}

/** A fixed shuffle (same order every run), so runs are comparable. */
function shuffle<T>(items: T[]): T[] {
  let seed = 42
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
