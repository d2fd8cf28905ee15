// Workers KV's OpenAPI document (/openapi/workers-kv.json): Cloudflare's KV REST API as kvgate
// answers it. Paths are relative to the dialect's base URL (a client's /client/v4).

import {
  jsonAnswer,
  jsonBody,
  type OpenApiOperation,
  openApiDocument,
  queryParam,
  type Schema,
  schemaRef,
} from '../../core/openapi.ts'
import { VERSION } from '../../core/version.ts'
import { watchOperation } from '../../core/watch/openapi.ts'

const NS = '/accounts/{account_id}/storage/kv/namespaces'
const envelope = (result: Schema = {}): Schema => ({
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    errors: { type: 'array', items: schemaRef('Message') },
    messages: { type: 'array', items: schemaRef('Message') },
    result,
  },
})
const ok = (description: string, result: Schema = {}) => jsonAnswer(description, envelope(result))
const failure = (description: string) => jsonAnswer(description, envelope({ type: 'null' }))
const common = {
  '400': failure('bad input (Cloudflare code 10xxx)'),
  '401': failure('missing or wrong API token (code 10000)'),
  '429': failure('rate limited (code 971)'),
}
const notFound = failure('no such namespace or key')
const namespace: Schema = {
  type: 'object',
  properties: { id: { type: 'string' }, title: { type: 'string' }, supports_url_encoding: { const: true } },
}
const list: OpenApiOperation = {
  summary: "The account's namespaces",
  parameters: [
    queryParam('page', 'page number', { type: 'integer', minimum: 1 }),
    queryParam('per_page', 'up to 1000', { type: 'integer', minimum: 1, maximum: 1000 }),
    queryParam('order', 'id or title'),
    queryParam('direction', 'asc or desc'),
  ],
  responses: { '200': ok('a page of namespaces', { type: 'array', items: namespace }), ...common },
}
const create: OpenApiOperation = {
  summary: 'Create a namespace',
  requestBody: jsonBody({
    type: 'object',
    required: ['title'],
    properties: { title: { type: 'string' }, jurisdiction: { type: 'string' } },
  }),
  responses: { '200': ok('created', namespace), ...common },
}
/** A key ".." arrives as the namespace's path with a trailing slash: it names that key, refused. */
const dotDot: OpenApiOperation = {
  summary: 'A key ".." (resolved by the URL parser): refused as an illegal key name',
  responses: { ...common, '400': failure('illegal key name (code 10019)'), '404': notFound },
}
const keysBody = jsonBody({ type: 'array', items: { type: 'string' } })
const deleted = ok('deleted', {
  type: 'object',
  properties: { successful_key_count: { type: 'integer' }, unsuccessful_keys: { type: 'array' } },
})

export const workersKvOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'Workers KV REST API (kvgate)',
    version: VERSION,
    description:
      "Cloudflare's Workers KV API: namespaces, values with metadata and expiry, bulk operations. API tokens come from the operator. See plugins/workers-kv-compat/README.md.",
  },
  security: [{ apiToken: [] }],
  paths: {
    '/user/tokens/verify': {
      get: {
        summary: 'Verify the token',
        responses: {
          '200': ok('active', {
            type: 'object',
            properties: { id: { type: 'string' }, status: { const: 'active' } },
          }),
          ...common,
        },
      },
    },
    '/accounts/{account_id}/tokens/verify': {
      get: { summary: 'Verify the token for an account', responses: { '200': ok('active'), ...common } },
    },
    '/accounts': {
      get: {
        summary: "The token's one account",
        responses: { '200': ok('the account', { type: 'array' }), ...common },
      },
    },
    '/memberships': {
      get: {
        summary: "The token's one membership",
        responses: { '200': ok('the membership', { type: 'array' }), ...common },
      },
    },
    [NS]: { get: list, post: create },
    [`${NS}/`]: { get: list, post: create },
    [`${NS}/{namespace_id}`]: {
      get: {
        summary: 'A namespace',
        responses: { '200': ok('the namespace', namespace), '404': notFound, ...common },
      },
      put: {
        summary: 'Rename a namespace',
        requestBody: jsonBody({
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string' } },
        }),
        responses: { '200': ok('renamed', namespace), '404': notFound, ...common },
      },
      delete: {
        summary: 'Delete a namespace',
        responses: { '200': ok('deleted', { type: 'null' }), '404': notFound, ...common },
      },
    },
    [`${NS}/{namespace_id}/`]: { get: dotDot, put: dotDot, delete: dotDot },
    [`${NS}/{namespace_id}/keys`]: {
      get: {
        summary: 'List keys',
        parameters: [
          queryParam('prefix', 'only keys starting with this'),
          queryParam('limit', '10 to 1000', { type: 'integer', minimum: 1, maximum: 1000 }),
          queryParam('cursor', 'from result_info.cursor of the previous page'),
        ],
        responses: {
          '200': ok('keys, with result_info {count, cursor}', { type: 'array' }),
          '404': notFound,
          ...common,
        },
      },
    },
    [`${NS}/{namespace_id}/watch`]: { get: watchOperation({ ...common, '404': notFound }) },
    [`${NS}/{namespace_id}/values/{key}`]: {
      get: {
        summary: 'Read a value',
        responses: {
          '200': {
            description: 'the raw value; the expiration header says when it expires',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          '404': notFound,
          ...common,
        },
      },
      put: {
        summary: 'Write a value (raw body, or multipart with value and metadata)',
        parameters: [
          queryParam('expiration', 'seconds since the epoch', { type: 'integer' }),
          queryParam('expiration_ttl', 'seconds from now, at least 60', { type: 'integer' }),
        ],
        requestBody: {
          required: true,
          content: {
            'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { value: { type: 'string' }, metadata: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '200': ok('written', { type: 'null' }),
          '404': notFound,
          '413': failure('value too large'),
          ...common,
        },
      },
      delete: {
        summary: 'Delete a value (also when absent)',
        responses: { '200': ok('deleted', { type: 'null' }), '404': notFound, ...common },
      },
    },
    [`${NS}/{namespace_id}/metadata/{key}`]: {
      get: {
        summary: "A value's metadata, or null",
        responses: { '200': ok('the metadata'), '404': notFound, ...common },
      },
    },
    [`${NS}/{namespace_id}/bulk`]: {
      put: {
        summary: 'Write up to 10,000 values, all or nothing',
        requestBody: jsonBody({
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'value'],
            properties: {
              key: { type: 'string' },
              value: { type: 'string' },
              base64: { type: 'boolean' },
              expiration: { type: 'integer' },
              expiration_ttl: { type: 'integer' },
              metadata: {},
            },
          },
        }),
        responses: { '200': ok('written'), '404': notFound, '413': failure('too large'), ...common },
      },
      delete: {
        summary: 'Delete up to 10,000 keys',
        requestBody: keysBody,
        responses: { '200': deleted, '404': notFound, ...common },
      },
    },
    [`${NS}/{namespace_id}/bulk/delete`]: {
      post: {
        summary: 'Delete up to 10,000 keys',
        requestBody: keysBody,
        responses: { '200': deleted, '404': notFound, ...common },
      },
    },
    [`${NS}/{namespace_id}/bulk/get`]: {
      post: {
        summary: 'Read up to 100 values',
        requestBody: jsonBody({
          type: 'object',
          required: ['keys'],
          properties: {
            keys: { type: 'array', items: { type: 'string' } },
            type: { enum: ['text', 'json'] },
            withMetadata: { type: 'boolean' },
          },
        }),
        responses: {
          '200': ok('the values by key', { type: 'object', properties: { values: { type: 'object' } } }),
          '404': notFound,
          ...common,
        },
      },
    },
  },
  components: {
    securitySchemes: { apiToken: { type: 'http', scheme: 'bearer', description: "the account's api_token" } },
    schemas: {
      Message: { type: 'object', properties: { code: { type: 'integer' }, message: { type: 'string' } } },
    },
  },
})
