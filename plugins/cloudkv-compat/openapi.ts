// CloudKV's OpenAPI document (/openapi/cloudkv.json): buckets and raw values behind an account's
// api-key header. Paths are relative to the dialect's base URL.

import {
  emptyAnswer,
  errorAnswer,
  jsonAnswer,
  type OpenApiOperation,
  type OpenApiPathItem,
  openApiDocument,
  queryParam,
  type Schema,
  textAnswer,
} from '../../core/openapi.ts'
import { VERSION } from '../../core/version.ts'
import { watchOperation } from '../../core/watch/openapi.ts'

const denied = {
  '401': errorAnswer('missing or wrong api-key'),
  '403': errorAnswer("the bucket's mode refuses it"),
}
const notFound = errorAnswer('no such bucket or key')
/** A plain OPTIONS (a CORS preflight is answered by kvgate itself, on every path). */
const options: OpenApiOperation = {
  summary: 'Plain OPTIONS: 204, no authentication',
  security: [],
  responses: { '204': emptyAnswer('no content') },
}
const withOptions = (item: OpenApiPathItem): OpenApiPathItem => ({ ...item, options })
const bucket: Schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    mode: { enum: ['public', 'public-read', 'protected'] },
    created_at: { type: 'string' },
    comment: { type: ['string', 'null'] },
    estimated_keys: { type: 'integer' },
    key_get_success: { type: 'integer' },
    key_get_failed: { type: 'integer' },
  },
}
const ttl = queryParam('ttl', 'seconds until the key expires', { type: 'integer', minimum: 1 })
const write: OpenApiOperation = {
  summary: 'Set a key to the raw body',
  parameters: [ttl],
  requestBody: { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } },
  responses: {
    '200': emptyAnswer('stored'),
    '400': errorAnswer('bad key or ttl'),
    ...denied,
    '404': notFound,
    '413': errorAnswer('value too large'),
  },
}
const find: OpenApiOperation = {
  summary: 'Key names starting with a prefix, one per line (at most 1,000)',
  parameters: [queryParam('prefix', 'the prefix')],
  responses: {
    '200': textAnswer('the names, ascending'),
    ...denied,
    '404': errorAnswer('no bucket, or no key matches'),
  },
}

export const cloudkvOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'CloudKV API (kvgate)',
    version: VERSION,
    description:
      'Buckets of raw values, each public, public-read or protected. Accounts (their api-key) come from the operator. See plugins/cloudkv-compat/README.md.',
  },
  security: [{ apiKey: [] }],
  paths: {
    '/ping': withOptions({
      get: { summary: 'Liveness', security: [], responses: { '200': jsonAnswer('{"message":"pong"}') } },
    }),
    '/buckets': withOptions({
      post: {
        summary: 'Create a bucket',
        requestBody: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { access: { type: 'string' }, comment: { type: 'string' } },
              },
            },
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                properties: { access: { type: 'string' }, comment: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '201': jsonAnswer('created', {
            type: 'object',
            properties: {
              account_id: { type: 'string' },
              bucket_id: { type: 'string' },
              mode: { type: 'string' },
            },
          }),
          '400': errorAnswer('bad form'),
          ...denied,
        },
      },
      get: {
        summary: "The account's buckets",
        responses: {
          '200': jsonAnswer('the buckets', {
            type: 'object',
            properties: { buckets: { type: 'array', items: bucket } },
          }),
          ...denied,
        },
      },
    }),
    '/buckets/{bucket}/watch': withOptions({
      get: watchOperation({ '400': errorAnswer('bad watch query'), ...denied, '404': notFound }),
    }),
    '/buckets/{bucket}': withOptions({
      patch: {
        summary: "Change a bucket's comment",
        responses: {
          '200': emptyAnswer('changed'),
          '400': errorAnswer('bad form'),
          ...denied,
          '404': notFound,
        },
      },
      delete: {
        summary: 'Delete a bucket, confirming its estimated key count',
        parameters: [queryParam('confirm', "the bucket's estimated_keys", { type: 'integer' })],
        responses: {
          '200': emptyAnswer('deleted'),
          '400': errorAnswer('confirm does not match'),
          ...denied,
          '404': notFound,
        },
      },
    }),
    '/kv/{bucket}': withOptions({ get: find }),
    '/kv/{bucket}/{key}': withOptions({
      get: {
        summary: 'Read a key (an empty key, "/kv/{bucket}/", finds by prefix)',
        responses: {
          '200': {
            description: 'the raw value, with Last-Modified, and Expires when it has a ttl',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          ...denied,
          '404': notFound,
        },
      },
      post: write,
      put: write,
      delete: {
        summary: 'Delete a key (200 also when absent)',
        responses: { '200': emptyAnswer('deleted'), ...denied, '404': notFound },
      },
    }),
  },
  components: {
    securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'api-key' } },
    schemas: { Error: { type: 'object', properties: { message: { type: 'string' } } } },
  },
})
