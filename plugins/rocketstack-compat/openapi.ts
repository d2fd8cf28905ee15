// RocketStack's OpenAPI document (/openapi/rocketstack.json): JSON items with versions, TTL and
// conditions. Paths are relative to the dialect's base URL.

import {
  errorAnswer,
  headerParam,
  jsonAnswer,
  jsonBody,
  openApiDocument,
  queryParam,
  type Schema,
  schemaRef,
} from '../../core/openapi.ts'
import { VERSION } from '../../core/version.ts'
import { watchOperation } from '../../core/watch/openapi.ts'

const common = {
  '401': errorAnswer('UNAUTHORIZED: missing or wrong API key'),
  '429': errorAnswer('RATE_LIMITED, with Retry-After'),
}
const data = (schema: Schema) => ({ type: 'object', properties: { data: schema } })
const etag = { ETag: { description: 'the version, quoted', schema: { type: 'string' } } }

export const rocketstackOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'RocketStack Key/Value API (kvgate)',
    version: VERSION,
    description:
      'JSON values by key with versions, TTL, set-if-not-exists and compare-and-swap. One account (API key from the operator) is one namespace. See plugins/rocketstack-compat/README.md.',
  },
  security: [{ apiKey: [] }],
  paths: {
    '/kv/watch': { get: watchOperation(common) },
    '/kv/items': {
      get: {
        summary: 'List items in key order',
        parameters: [
          queryParam('prefix', 'only keys starting with this text'),
          queryParam('limit', '1 to 1000', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          queryParam('cursor', 'the cursor of the previous page'),
        ],
        responses: {
          '200': jsonAnswer('a page of items', data(schemaRef('Page'))),
          '400': errorAnswer('BAD_REQUEST'),
          ...common,
        },
      },
      put: {
        summary: 'No key: always 400 "Key must not be empty"',
        responses: { '400': errorAnswer('BAD_REQUEST: Key must not be empty'), ...common },
      },
      delete: {
        summary: 'No key: always 400 "Key must not be empty"',
        responses: { '400': errorAnswer('BAD_REQUEST: Key must not be empty'), ...common },
      },
    },
    '/kv/items/{key}': {
      get: {
        summary: 'Read an item (an empty key, "/kv/items/", is the list)',
        responses: {
          '200': { ...jsonAnswer('the item', data(schemaRef('Item'))), headers: etag },
          '404': errorAnswer('NOT_FOUND: missing or expired'),
          ...common,
        },
      },
      put: {
        summary: 'Write an item',
        parameters: [
          headerParam('If-Match', 'write only at this version ("*": only if it exists)'),
          headerParam('If-None-Match', '"*": write only if absent'),
        ],
        requestBody: jsonBody({
          type: 'object',
          required: ['value'],
          properties: {
            value: { description: 'any JSON' },
            ttlSeconds: { type: 'integer', minimum: 1 },
            ifNotExists: { type: 'boolean' },
            ifVersion: { type: 'string' },
          },
        }),
        responses: {
          '200': { ...jsonAnswer('written', data(schemaRef('Item'))), headers: etag },
          '400': errorAnswer('BAD_REQUEST'),
          '403': errorAnswer('QUOTA_EXCEEDED'),
          '409': errorAnswer('CONFLICT: a condition did not hold'),
          '413': errorAnswer('PAYLOAD_TOO_LARGE'),
          ...common,
        },
      },
      delete: {
        summary: 'Delete an item (200 also when absent)',
        parameters: [headerParam('If-Match', 'delete only at this version')],
        responses: {
          '200': jsonAnswer(
            'deleted',
            data({ type: 'object', properties: { key: { type: 'string' }, deleted: { const: true } } }),
          ),
          '409': errorAnswer('CONFLICT: the version did not match'),
          ...common,
        },
      },
    },
  },
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: "the account's api_key" } },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
      Item: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          value: {},
          version: { type: 'string' },
          expiresAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      Page: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                version: { type: 'string' },
                expiresAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
          cursor: { type: ['string', 'null'] },
        },
      },
    },
  },
})
