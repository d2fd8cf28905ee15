// The one module that knows which runtime runs kvgate. Bun is the runtime; the same sources also
// run under Deno 2, so the HTTP listener and signal handling live here, behind one small interface.

import type { AnyElysia } from 'elysia'
import { plainAddress, setPeer, setServer } from './http/call.ts'

export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'

/** The runtime and its version, e.g. "bun/1.4.5" or "deno/2.9.6". */
export function runtimeLabel(): string {
  if (isBun) return `bun/${Bun.version}`
  return `deno/${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno ?? 'unknown'}`
}

/** Whether processes listening on one port with reusePort share its connections: Linux does (elsewhere one takes them all). */
export const reusePortSpreads = isBun && process.platform === 'linux'

/** The command line that started this process, to start another like it (core/workers.ts). */
export function ownCommand(): string[] {
  return [...ownExecutable(), ...process.argv.slice(2)]
}

/** The command that runs kvgate, without arguments: to run another kvgate command. */
export function ownExecutable(): string[] {
  const script = process.argv[1] ?? ''
  // A compiled binary carries its script inside (/$bunfs/...): the binary alone is the command.
  const compiled = script.startsWith('/$bunfs/') || script.startsWith('B:/~BUN/')
  return compiled ? [process.execPath] : [process.execPath, ...process.execArgv, script]
}

export interface ServeOptions {
  port: number
  hostname: string
  maxRequestBodySize: number
  /** Let other processes listen on the same port too; off, a port already taken is an error. */
  reusePort?: boolean
}

export interface Listener {
  port: number
  /** Stops accepting connections and resolves once in-flight requests are answered. */
  stop(): Promise<void>
}

export class AddressInUseError extends Error {}

/**
 * Serves an Elysia app the way its documentation does: `app.listen` under Bun, so Bun's native
 * router routes; `Deno.serve(app.fetch)` under Deno.
 */
export function listenApp(app: AnyElysia, options: ServeOptions): Listener {
  if (!isBun) return listenFetch((request) => app.handle(request), options)
  return listening(options, () => {
    app.listen({
      port: options.port,
      hostname: options.hostname,
      maxRequestBodySize: options.maxRequestBodySize,
      // Elysia turns reusePort on by default: two kvgates on one port would split the traffic.
      reusePort: options.reusePort ?? false,
      development: false,
    })
    const server = app.server!
    return { port: server.port ?? options.port, stop: () => server.stop() }
  })
}

/** Serves a fetch function that takes the client's address (the Host dispatcher). */
export function listenFetch(
  fetch: (request: Request, peer: string) => Promise<Response>,
  options: ServeOptions,
): Listener {
  return listening(options, () => (isBun ? serveBun(fetch, options) : serveDeno(fetch, options)))
}

function listening(options: ServeOptions, start: () => Listener): Listener {
  try {
    return start()
  } catch (error) {
    const text = String((error as Error)?.message ?? error)
    if ((error as { code?: string }).code === 'EADDRINUSE' || /in use|AddrInUse/i.test(text)) {
      throw new AddressInUseError(`port ${options.port} on ${options.hostname} is already in use`)
    }
    throw error
  }
}

function serveBun(fetch: (request: Request, peer: string) => Promise<Response>, options: ServeOptions) {
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    maxRequestBodySize: options.maxRequestBodySize,
    reusePort: options.reusePort ?? false,
    development: false,
    fetch: (request, bunServer) => {
      setServer(request, bunServer)
      return fetch(request, plainAddress(bunServer.requestIP(request)?.address ?? ''))
    },
  })
  return { port: server.port ?? options.port, stop: () => server.stop() }
}

function serveDeno(fetch: (request: Request, peer: string) => Promise<Response>, options: ServeOptions) {
  const Deno = (globalThis as any).Deno
  const server = Deno.serve(
    {
      port: options.port,
      hostname: options.hostname,
      reusePort: options.reusePort ?? false,
      onListen: () => {},
    },
    (request: Request, info: { remoteAddr: { hostname: string } }) => {
      const peer = plainAddress(info.remoteAddr.hostname)
      setPeer(request, peer)
      return fetch(request, peer)
    },
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
