// What each dialect's benchmark file provides: how to make a namespace and credentials through the
// dialect's own API (or the operator's admin API), and the requests of every operation it has.

import type { FrontEnd } from '../scenarios.ts'

/** A running kvgate, as a dialect's setup sees it. */
export interface KvgateHandle {
  url: string
  /** fetch() against the kvgate; throws when the answer is not 2xx, with its body. */
  call(path: string, init?: RequestInit): Promise<Response>
  /** Creates an operator account through the admin API. */
  createAccount(dialect: string): Promise<{ account_id: string; credentials: Record<string, string> }>
}

export interface DialectNamespace {
  /** The engine namespace id, where the listing keys are loaded. */
  namespace: string
  front: FrontEnd
}

export interface DialectBench {
  /** The dialect's name as plugins/index.ts knows it. */
  name: string
  /** Settings for kvgate that a benchmark needs (e.g. lifting a per-IP rate limit). */
  env?: Record<string, string>
  /** Makes one namespace with credentials; every request of `front` is bound to it. */
  open(kvgate: KvgateHandle): Promise<DialectNamespace>
}

/** A key as it goes into a URL path. */
export const pathKey = (key: string) => encodeURIComponent(key)
