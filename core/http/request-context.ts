// What the core learns about a request before a dialect sees it: its id and the client's address.
// Kept beside the Request object rather than in headers, so nothing a client sends can forge it.

export interface RequestInfo {
  id: string
  /** The socket peer's address (see clientAddress for proxies). */
  peer: string
  startedAt: number
  /** The route pattern Elysia matched, for metrics. */
  route?: string
}

const infos = new WeakMap<Request, RequestInfo>()

export function attachRequestInfo(request: Request, info: RequestInfo): void {
  infos.set(request, info)
}

export function requestInfo(request: Request): RequestInfo | undefined {
  return infos.get(request)
}

export const requestIdOf = (request: Request): string => infos.get(request)?.id ?? 'unknown'

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy, the nearest address
 * in X-Forwarded-For that is not itself a trusted proxy.
 */
export function clientAddress(request: Request, trustedProxies: readonly string[]): string {
  const peer = infos.get(request)?.peer ?? ''
  if (!trustedProxies.includes(peer)) return peer
  const forwarded = (request.headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
  for (let i = forwarded.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(forwarded[i]!)) return forwarded[i]!
  }
  return peer
}
