// The watch route's OpenAPI operation, the same in every dialect's document (docs/watch.md): only
// what refuses a watcher (its credentials, its container) differs, and each dialect passes that in.

import { headerParam, type OpenApiOperation, type OpenApiResponse, queryParam } from '../openapi.ts'

const change = {
  type: 'object',
  properties: {
    revision: { type: 'integer' },
    type: { enum: ['put', 'delete', 'expire'] },
    key: { type: 'string' },
    key_encoding: { const: 'base64', description: 'present when the key is not UTF-8' },
    version: { type: ['integer', 'null'] },
    expires_at: { type: ['number', 'null'], description: 'seconds since the epoch' },
    value: { type: 'string' },
    value_encoding: { const: 'base64' },
    value_omitted: { enum: ['too_large', 'superseded'] },
  },
}

export function watchOperation(refusals: Record<string, OpenApiResponse>): OpenApiOperation {
  return {
    summary: "Watch the container's changes (kvgate extension; see docs/watch.md)",
    parameters: [
      queryParam('prefix', 'only keys starting with these bytes (percent-encoded)'),
      queryParam('values', '1: puts carry the value, up to a size limit', { enum: ['0', '1'] }),
      queryParam('after', 'start after this revision; without it, from now on', {
        type: 'integer',
        minimum: 0,
      }),
      queryParam('wait', 'long poll: seconds to wait for a change', {
        type: 'integer',
        minimum: 0,
        maximum: 120,
      }),
      headerParam('Last-Event-ID', 'the revision a reconnecting EventSource resumes after'),
    ],
    responses: {
      '200': {
        description:
          'With Accept: text/event-stream, events put | delete | expire | reset with id: the revision; otherwise the long-poll JSON form',
        content: {
          'text/event-stream': { schema: { type: 'string' } },
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                changes: { type: 'array', items: change },
                revision: { type: 'integer' },
                reset: { type: 'boolean' },
              },
            },
          },
        },
      },
      ...refusals,
    },
  }
}

/** The 400 every watch answers for a bad query, in the dialect's error shape. */
export const badWatchQuery = (errorShape: (description: string) => OpenApiResponse) => ({
  '400': errorShape('bad prefix, after, wait or values'),
})
