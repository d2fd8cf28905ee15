// The request pipeline around a route's handler: headers a handler asks for go on every answer to
// its request, whether it returns a response or throws.

import { expect, test } from 'bun:test'
import { NotFoundError } from '../../core/engine/errors.ts'
import type { Call } from '../../core/http/call.ts'
import { CORE_ERRORS } from '../../core/http/core-errors.ts'
import { HttpError } from '../../core/http/errors.ts'
import { RequestPipeline } from '../../core/http/pipeline.ts'
import { createLogger } from '../../core/log.ts'
import { Metrics } from '../../core/metrics.ts'

const pipeline = new RequestPipeline({
  name: 'test',
  errors: CORE_ERRORS,
  cors: { allowHeaders: [], exposeHeaders: [] },
  maxBodyBytes: 1024,
  metrics: new Metrics(),
  log: createLogger('silent'),
})

const outcomes: Record<string, (call: Call) => Response | Promise<Response>> = {
  'a response': () => new Response('ok'),
  'a promised response': async () => new Response('ok'),
  'an HttpError': () => {
    throw new HttpError(403, 'no')
  },
  'an engine error': async () => {
    throw new NotFoundError('namespace', 'gone')
  },
  'an unexpected error': () => {
    throw new Error('a bug')
  },
}

for (const [outcome, answer] of Object.entries(outcomes)) {
  test(`responseHeaders set by a handler go on its answer when it gives ${outcome}`, async () => {
    const handler = pipeline.wrap('/x', (call) => {
      call.responseHeaders = { 'x-count': '7' }
      return answer(call)
    })
    const response = await handler({ request: new Request('http://localhost/x'), params: {}, server: null })
    expect(response.headers.get('x-count')).toBe('7')
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
}
