// The watch feed as Server-Sent Events: `id:` the revision, `event:` put, delete, expire or reset,
// `data:` the change as JSON (event-data.ts); a comment line every heartbeat keeps idle proxies
// from closing the stream. A client that reads too slowly is cut off (it resumes with
// Last-Event-ID). Once the client goes, the watcher and the heartbeat timer go with it.

import type { Change } from '../engine/changes.ts'
import type { Engine } from '../engine/engine.ts'
import type { Call } from '../http/call.ts'
import { eventData, eventDataWithValue } from './event-data.ts'
import { registerWatch } from './registry.ts'
import type { WatchRequest } from './request.ts'
import { Watcher } from './watcher.ts'

export interface StreamSettings {
  heartbeatMs: number
  maxValueBytes: number
}

/** Bytes a client may leave unread before it is cut off. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const encoder = new TextEncoder()

/** The event text of a change without its value: the same for every watcher, so made once. */
const shared = new WeakMap<Change, Uint8Array>()

function frame(id: number, event: string, data: unknown): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
}

/** Event streams open right now, each with its heartbeat timer (the leak test reads it). */
let openStreams = 0
export const openEventStreams = () => openStreams

export function eventStream(
  engine: Engine,
  ns: string,
  request: WatchRequest,
  call: Call,
  settings: StreamSettings,
): Response {
  let watcher: Watcher | null = null
  let heartbeat: ReturnType<typeof setInterval> | null = null
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null
  let unregister = () => {}
  const end = () => {
    unregister()
    watcher?.stop()
    watcher = null
    if (heartbeat) {
      clearInterval(heartbeat)
      openStreams--
    }
    heartbeat = null
    call.request.signal?.removeEventListener('abort', end)
    const open = controller
    controller = null
    try {
      open?.close()
    } catch {
      // Already closed or errored by the client going away.
    }
  }
  const send = (bytes: Uint8Array) => {
    if (!controller) return
    if ((controller.desiredSize ?? 0) <= 0) return end()
    controller.enqueue(bytes)
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      start(opened) {
        controller = opened
        unregister = registerWatch(end)
        call.request.signal?.addEventListener('abort', end)
        // Tells EventSource how soon to come back, and gets the headers to the client at once.
        opened.enqueue(encoder.encode(`retry: 1000\n: watching\n\n`))
        heartbeat = setInterval(() => send(encoder.encode(': heartbeat\n\n')), settings.heartbeatMs)
        openStreams++
        watcher = new Watcher(engine, ns, request.prefix, {
          change: async (change) => {
            if (!request.values || change.type !== 'put') {
              let bytes = shared.get(change)
              if (!bytes) {
                bytes = frame(change.revision, change.type, eventData(change))
                shared.set(change, bytes)
              }
              return send(bytes)
            }
            send(
              frame(
                change.revision,
                change.type,
                await eventDataWithValue(engine, ns, change, settings.maxValueBytes),
              ),
            )
          },
          reset: (head) => send(frame(head, 'reset', { revision: head })),
          failed: () => end(),
        })
        watcher.start(request.after)
      },
      cancel: end,
    },
    { highWaterMark: MAX_BUFFERED_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
  )
  call.keepOpen()
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx buffers responses unless told not to; a buffered event stream never arrives.
      'x-accel-buffering': 'no',
    },
  })
}
