// The one module that knows which runtime runs kvgate. Bun is the runtime; the same sources also
// run under Deno 2, so the HTTP listener and signal handling live here, behind one small interface.

export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'

export interface ListenOptions {
  port: number
  hostname: string
  maxRequestBodySize: number
  fetch: (request: Request, peer: string) => Promise<Response>
}

export interface Listener {
  port: number
  /** Stops accepting connections and resolves once in-flight requests are answered. */
  stop(): Promise<void>
}

export class AddressInUseError extends Error {}

export function listen(options: ListenOptions): Listener {
  try {
    return isBun ? listenBun(options) : listenDeno(options)
  } catch (error) {
    const text = String((error as Error)?.message ?? error)
    if ((error as { code?: string }).code === 'EADDRINUSE' || /in use|AddrInUse/i.test(text)) {
      throw new AddressInUseError(`port ${options.port} on ${options.hostname} is already in use`)
    }
    throw error
  }
}

/** IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d; they are a.b.c.d. */
const plainAddress = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address)

function listenBun(options: ListenOptions): Listener {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    maxRequestBodySize: options.maxRequestBodySize,
    development: false,
    fetch: (request, bunServer) =>
      options.fetch(request, plainAddress(bunServer.requestIP(request)?.address ?? '')),
  })
  return { port: server.port ?? options.port, stop: () => server.stop() }
}

function listenDeno(options: ListenOptions): Listener {
  const Deno = (globalThis as any).Deno
  const server = Deno.serve(
    { port: options.port, hostname: options.hostname, onListen: () => {} },
    (request: Request, info: { remoteAddr: { hostname: string } }) =>
      options.fetch(request, plainAddress(info.remoteAddr.hostname)),
  )
  return { port: server.addr.port, stop: () => server.shutdown() }
}

/** Runs the handler once on the first SIGTERM or SIGINT. */
export function onShutdownSignal(handler: (signal: string) => void): void {
  let called = false
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (called) return
      called = true
      handler(signal)
    })
  }
}
