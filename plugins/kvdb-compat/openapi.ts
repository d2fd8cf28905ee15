// KVdb's OpenAPI document (/openapi/kvdb.json): buckets, keys, counters, transactions, access
// tokens and scripts. Paths are relative to the dialect's base URL. Every path takes every method a
// key takes; those it has no operation for answer 405 with its own Allow (routes/index.ts), and are
// listed as such here.

import {
  jsonBody,
  type OpenApiMethod,
  type OpenApiOperation,
  type OpenApiPathItem,
  openApiDocument,
  queryParam,
  type Schema,
  textAnswer,
} from '../../core/openapi.ts'
import { VERSION } from '../../core/version.ts'

const METHODS: OpenApiMethod[] = ['get', 'post', 'put', 'patch', 'delete', 'options']
const text = (description: string) => textAnswer(description)
const denied = {
  '401': text('a credential that is no key of the bucket and no valid token'),
  '403': text("the bucket's policy or the token refuses it"),
  '429': text('rate limited; X-RateLimit-* headers on every answer'),
}
const notFound = { '404': text('bucket not found (or key not found)') }
const refused: OpenApiOperation = {
  summary: 'Not a method of this path: 405, with Allow naming its own',
  responses: { '405': text('method not allowed') },
}
/** A path's operations, every other method answered as the 405 it is. */
const path = (item: OpenApiPathItem): OpenApiPathItem =>
  Object.fromEntries(METHODS.map((method) => [method, item[method] ?? refused]))
const form = (properties: Record<string, Schema>) => ({
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties } } },
})
const policy = {
  secret_key: { type: 'string' },
  write_key: { type: 'string' },
  read_key: { type: 'string' },
  signing_key: { type: 'string' },
  default_ttl: { type: 'integer' },
}
const listing: OpenApiOperation = {
  summary: 'List keys (and values) in byte order',
  parameters: [
    queryParam('prefix', 'only keys starting with these bytes'),
    queryParam('limit', 'most keys to list', { type: 'integer', minimum: 0 }),
    queryParam('skip', 'keys to skip first', { type: 'integer', minimum: 0 }),
    queryParam('reverse', 'true: descending', { type: 'boolean' }),
    queryParam('values', 'true: keys with values', { type: 'boolean' }),
    queryParam('format', 'text, json or jsonl (else the Accept header)'),
  ],
  responses: {
    '200': text('the keys, one per line (or JSON, JSON lines)'),
    ...denied,
    ...notFound,
    '406': text('unknown format'),
  },
}
const set: OpenApiOperation = {
  summary: 'Set a key to the raw body',
  parameters: [queryParam('ttl', 'seconds until it expires (0: never)', { type: 'integer', minimum: 0 })],
  requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
  responses: {
    '200': text('stored'),
    '400': text('bad key or ttl'),
    ...denied,
    ...notFound,
    '413': text('value too large'),
  },
}
const run: OpenApiOperation = {
  summary: 'Run a script with the request',
  responses: {
    '200': { description: "the script's answer" },
    ...denied,
    ...notFound,
    '503': text('the script ran out of time'),
  },
}

const mint: OpenApiOperation = {
  summary: 'Mint an access token for a key prefix',
  requestBody: form({
    prefix: { type: 'string' },
    permissions: { type: 'string', description: 'read, write' },
    ttl: { type: 'integer' },
  }),
  responses: { '200': text('the token'), '400': text('bad form, or no signing_key'), ...denied, ...notFound },
}
const scripts: OpenApiOperation = {
  summary: "The bucket's scripts",
  responses: { '200': text('their names'), ...denied, ...notFound },
}

export const kvdbOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'KVdb API (kvgate)',
    version: VERSION,
    description:
      'The kvdb.io API: buckets of keys with an access policy, counters, transactions, signed access tokens and Lua scripts. Credentials go as Basic user name, Bearer, or ?key=. The bare base URL answers as "/". See plugins/kvdb-compat/README.md.',
  },
  paths: {
    '/': path({
      post: {
        summary: 'Create a bucket; answers its id',
        security: [],
        requestBody: form({ email: { type: 'string' }, ...policy }),
        responses: {
          '200': text('the bucket id'),
          '400': text('bad form'),
          '403': text('creation disabled'),
        },
      },
    }),
    '/{bucket}': path({
      get: listing,
      post: {
        summary: 'A transaction: puts and deletes, all or nothing',
        requestBody: jsonBody({
          type: 'object',
          properties: {
            txn: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  set: { type: 'string' },
                  delete: { type: 'string' },
                  value: {},
                  ttl: { type: 'integer' },
                },
              },
            },
          },
        }),
        responses: {
          '200': text('applied'),
          '400': text('bad operation'),
          ...denied,
          ...notFound,
          '413': text('value too large'),
        },
      },
      patch: {
        summary: "Change the bucket's policy (an empty field removes that key)",
        requestBody: form(policy),
        responses: { '200': text('changed'), '400': text('bad form'), ...denied, ...notFound },
      },
      delete: { summary: 'Delete the bucket', responses: { '200': text('deleted'), ...denied, ...notFound } },
    }),
    '/{bucket}/': path({ get: listing }),
    '/{bucket}/tokens': path({ post: mint }),
    '/{bucket}/tokens/': path({ post: mint }),
    '/{bucket}/scripts': path({ get: scripts }),
    '/{bucket}/scripts/': path({ get: scripts }),
    '/{bucket}/scripts/{name}': path({
      get: run,
      post: run,
      put: {
        summary: 'Upload a script (Lua source)',
        requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
        responses: {
          '200': text('stored'),
          '400': text('bad name or script'),
          ...denied,
          ...notFound,
          '413': text('script too large'),
        },
      },
      delete: { summary: 'Delete a script', responses: { '200': text('deleted'), ...denied, ...notFound } },
    }),
    '/{bucket}/{key}': path({
      get: {
        summary: 'Read a key',
        responses: { '200': { description: 'the raw value' }, ...denied, ...notFound },
      },
      post: set,
      put: set,
      patch: {
        summary: 'Add to a counter (body: the delta), creating it at 0',
        parameters: [queryParam('ttl', 'seconds until it expires', { type: 'integer', minimum: 0 })],
        requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } },
        responses: { '200': text('the new value'), '400': text('not a number'), ...denied, ...notFound },
      },
      delete: { summary: 'Delete a key', responses: { '200': text('deleted'), ...denied, ...notFound } },
    }),
  },
  components: {
    securitySchemes: {
      basic: { type: 'http', scheme: 'basic', description: 'a bucket key or token as the user name' },
      bearer: { type: 'http', scheme: 'bearer', description: 'a bucket key or token' },
      query: { type: 'apiKey', in: 'query', name: 'key' },
    },
  },
  security: [{}, { basic: [] }, { bearer: [] }, { query: [] }],
})
