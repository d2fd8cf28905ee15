// The watch feed for clients without an event stream: one JSON page of the changes after ?after=,
// waiting up to ?wait= seconds for one to come when there is none yet. The answer's `revision` is
// where the next request goes on from; `reset: true` says the changes after ?after= are gone (re-read).

import type { Change } from '../engine/changes.ts'
import type { Engine } from '../engine/engine.ts'
import type { Call } from '../http/call.ts'
import { type EventData, eventData, eventDataWithValue } from './event-data.ts'
import { registerWatch } from './registry.ts'
import type { WatchRequest } from './request.ts'
import { Watcher } from './watcher.ts'

export interface LongPollAnswer {
  revision: number
  reset: boolean
  changes: Array<{ revision: number; type: string } & EventData>
}

/** Changes gathered after the first one before answering, so a burst comes in one page. */
const MAX_CHANGES = 1000

export async function longPoll(
  engine: Engine,
  ns: string,
  request: WatchRequest,
  call: Call,
  maxValueBytes: number,
): Promise<Response> {
  const found: Change[] = []
  let reset = false
  let settle: () => void = () => {}
  const settled = new Promise<void>((resolve) => {
    settle = resolve
  })
  let failure: unknown = null
  let caughtUp = false
  const watcher = new Watcher(engine, ns, request.prefix, {
    change: (change) => {
      found.push(change)
      if (caughtUp || found.length >= MAX_CHANGES) settle()
    },
    reset: () => {
      reset = true
      settle()
    },
    failed: (error) => {
      failure = error
      settle()
    },
  })
  if (request.wait > 0) call.keepOpen(request.wait + 10)
  const timer = setTimeout(settle, request.wait * 1000)
  const abort = () => settle()
  call.request.signal?.addEventListener('abort', abort)
  const unregister = registerWatch(abort)
  try {
    await watcher.start(request.after)
    // Caught up: answer with what the log held, else wait for the first change to come.
    caughtUp = true
    if (found.length > 0 || reset || request.wait === 0) settle()
    await settled
  } finally {
    clearTimeout(timer)
    unregister()
    call.request.signal?.removeEventListener('abort', abort)
    watcher.stop()
  }
  if (failure) throw failure
  const changes = await Promise.all(
    found.map(async (change) => ({
      revision: change.revision,
      type: change.type,
      ...(request.values && change.type === 'put'
        ? await eventDataWithValue(engine, ns, change, maxValueBytes)
        : eventData(change)),
    })),
  )
  const answer: LongPollAnswer = { revision: watcher.revision, reset, changes }
  return Response.json(answer, { headers: { 'cache-control': 'no-store' } })
}
