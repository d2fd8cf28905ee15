// What a watch request asks for, read from its query and headers and validated at the edge: the
// key prefix, where to start (?after= or Last-Event-ID), whether values come along, the long-poll
// wait, and whether the answer is an event stream or one JSON page.

import * as v from 'valibot'
import type { Call } from '../http/call.ts'
import { formComponentBytes } from '../http/path.ts'
import { parseWith } from '../http/validate.ts'

export interface WatchRequest {
  /** Keys starting with this, as bytes (any byte may be sent percent-encoded). */
  prefix: Uint8Array | undefined
  /** The revision the client has seen: changes after it come first. Null: from now on. */
  after: number | null
  values: boolean
  /** Seconds the long-poll form waits for a change. */
  wait: number
  /** An event stream (Accept: text/event-stream), else the long-poll JSON form. */
  stream: boolean
}

const revision = v.pipe(
  v.string(),
  v.regex(/^\d{1,15}$/, 'a revision is a non-negative integer'),
  v.transform(Number),
)

const flag = v.optional(
  v.pipe(
    v.picklist(['', '1', '0', 'true', 'false'], 'values is 1 or 0'),
    v.transform((text) => text === '' || text === '1' || text === 'true'),
  ),
  '0',
)

const Query = v.object({
  after: v.optional(revision),
  lastEventId: v.optional(revision),
  values: flag,
  wait: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'wait is a number of seconds'), v.transform(Number)),
    '0',
  ),
})

/** The watch request, or `refuse(message)` thrown (the dialect's bad-request error). */
export function readWatchRequest(
  call: Call,
  maxWaitSeconds: number,
  refuse: (message: string) => Error,
): WatchRequest {
  const query = call.query
  const lastEventId = call.request.headers.get('last-event-id')
  const parsed = parseWith(
    Query,
    {
      after: query.get('after') ?? undefined,
      lastEventId: lastEventId?.trim() || undefined,
      values: query.get('values') ?? undefined,
      wait: query.get('wait') ?? undefined,
    },
    refuse,
  )
  const rawPrefix = call.encodedQuery.get('prefix')
  return {
    prefix: rawPrefix ? formComponentBytes(rawPrefix) : undefined,
    // Last-Event-ID is what a reconnecting EventSource sends: it wins over the URL's ?after=.
    after: parsed.lastEventId ?? parsed.after ?? null,
    values: parsed.values,
    wait: Math.min(parsed.wait, maxWaitSeconds),
    stream: (call.request.headers.get('accept') ?? '').includes('text/event-stream'),
  }
}
