// The watch feed every dialect mounts under its container (see README, "Watching changes"): a
// dialect authorises the request as a read of the container, narrows the prefix to what its
// credential may see, and hands the rest here. Accept: text/event-stream gets the event stream;
// anything else the long-poll JSON form.

import type { WatchConfig } from '../config.ts'
import { startsWith } from '../engine/bytes.ts'
import type { Engine } from '../engine/engine.ts'
import { UnavailableError } from '../engine/errors.ts'
import type { Call } from '../http/call.ts'
import { longPoll } from './long-poll.ts'
import { readWatchRequest } from './request.ts'
import { eventStream } from './sse.ts'

export { endAllWatches } from './registry.ts'
export type { WatchRequest } from './request.ts'

export interface WatchOptions {
  /** The credential sees only keys under this (KVdb's token prefix): a prefix outside it is refused. */
  scope?: Uint8Array
  /** The dialect's bad-request error, for a malformed query. */
  invalid: (message: string) => Error
  /** The dialect's error for a prefix outside the scope (needed with a scope). */
  forbidden?: () => Error
}

export async function watchResponse(
  engine: Engine,
  ns: string,
  call: Call,
  config: WatchConfig,
  options: WatchOptions,
): Promise<Response> {
  const request = readWatchRequest(call, config.maxWaitSeconds, options.invalid)
  const { scope } = options
  if (scope?.length) {
    if (!request.prefix?.length) request.prefix = scope
    else if (!startsWith(request.prefix, scope))
      throw options.forbidden?.() ?? options.invalid('prefix is outside what the credential may see')
  }
  if (!engine.logsChanges)
    throw new UnavailableError('change-log-off', 'watching is off: the change log is switched off')
  if (request.stream) {
    // HEAD gets the stream's headers only: a body nobody reads would keep its watcher forever.
    if (call.request.method === 'HEAD')
      return new Response(null, { headers: { 'content-type': 'text/event-stream' } })
    return eventStream(engine, ns, request, call, config)
  }
  return longPoll(engine, ns, request, call, config.maxValueBytes)
}
