// One request as a dialect's handler sees it: the request, its route parameters, and what the core
// derives from them at most once, when first asked (the key, the query, the request id, the
// client's address). Nothing here re-parses the URL beyond finding its query.

import { encodedQuery, percentDecodeBytes } from './path.ts'

/** What can tell a socket's peer address: Bun's server (Elysia hands it to handlers). */
export interface PeerSource {
  requestIP(request: Request): { address: string } | null
  /** Bun's per-request idle timeout, in seconds (0: none). */
  timeout?(request: Request, seconds: number): void
}

/**
 * Peers of requests that did not come through Bun's own server (Deno, the host dispatcher, tests),
 * set by whoever received the request.
 */
const knownPeers = new WeakMap<Request, string>()

export function setPeer(request: Request, peer: string): void {
  knownPeers.set(request, peer)
}

/** The server of requests that Bun served without Elysia (the host dispatcher), for keepOpen. */
const knownServers = new WeakMap<Request, PeerSource>()

export function setServer(request: Request, server: PeerSource): void {
  knownServers.set(request, server)
}

/** IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d; they are a.b.c.d. */
export const plainAddress = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address)

export class Call {
  readonly startedAt = performance.now()
  private requestId: string | undefined
  private decodedKey: Uint8Array | undefined
  private searchParams: URLSearchParams | undefined
  /**
   * Headers every answer to this request carries, its error answers included (KVdb's rate-limit
   * counts): a handler sets them, the pipeline adds them to whatever response goes out.
   */
  responseHeaders: Record<string, string> | undefined

  constructor(
    readonly request: Request,
    readonly params: Record<string, string | undefined>,
    private readonly server?: PeerSource | null,
  ) {}

  /** The same request under other route parameters (a route that hands it to another's handler). */
  withParams(params: Record<string, string | undefined>): Call {
    const call = new Call(this.request, params, this.server)
    ;(call as { startedAt: number }).startedAt = this.startedAt
    call.requestId = this.id
    return call
  }

  get id(): string {
    this.requestId ??= crypto.randomUUID()
    return this.requestId
  }

  /**
   * The key a route names with its trailing `*`: the path remainder exactly as sent (Elysia leaves a
   * wildcard undecoded), percent-decoded to bytes, so %2F is a "/" of the key and %FF a byte 0xFF.
   */
  get key(): Uint8Array {
    this.decodedKey ??= percentDecodeBytes(this.params['*'] ?? '')
    return this.decodedKey
  }

  /** The query string without its "?", as sent. */
  get rawQuery(): string {
    const url = this.request.url
    const start = url.indexOf('?')
    if (start === -1) return ''
    const end = url.indexOf('#', start)
    return url.slice(start + 1, end === -1 ? undefined : end)
  }

  /** The query parameters, decoded as UTF-8 text. */
  get query(): URLSearchParams {
    this.searchParams ??= new URLSearchParams(this.rawQuery)
    return this.searchParams
  }

  /** The query parameters still percent-encoded, for those that may hold any byte (see encodedQuery). */
  get encodedQuery(): Map<string, string> {
    return encodedQuery(this.request.url)
  }

  /**
   * Lifts the server's idle timeout for this request (seconds; 0: none): an event stream or a long
   * poll is quiet on purpose. Under Bun its default of 10 s would otherwise cut it off.
   */
  keepOpen(seconds = 0): void {
    const server = this.server ?? knownServers.get(this.request)
    server?.timeout?.(this.request, Math.min(seconds, 255))
  }

  /** The socket peer's address. */
  get peer(): string {
    const known = knownPeers.get(this.request)
    if (known !== undefined) return known
    return plainAddress(this.server?.requestIP(this.request)?.address ?? '')
  }

  /**
   * The client's address: the socket peer, or, when the peer is a trusted proxy, the nearest address
   * in X-Forwarded-For that is not itself a trusted proxy.
   */
  clientAddress(trustedProxies: readonly string[]): string {
    const peer = this.peer
    if (!trustedProxies.includes(peer)) return peer
    const forwarded = (this.request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
    for (let i = forwarded.length - 1; i >= 0; i--) {
      if (!trustedProxies.includes(forwarded[i]!)) return forwarded[i]!
    }
    return peer
  }
}
