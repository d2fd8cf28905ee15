// LightKV's OpenAPI document (/openapi/lightkv.json): items and ordered lists with set semantics,
// behind per-app tokens. Paths are relative to the dialect's base URL.

import {
  errorAnswer,
  jsonAnswer,
  jsonBody,
  openApiDocument,
  queryParam,
  type Schema,
  schemaRef,
} from '../../core/openapi.ts'
import { VERSION } from '../../core/version.ts'
import { watchOperation } from '../../core/watch/openapi.ts'

const ok = (description: string, data: Schema = {}) =>
  jsonAnswer(description, { type: 'object', properties: { ok: { const: true }, data } })
const common = {
  '400': errorAnswer('BAD_REQUEST'),
  '401': errorAnswer('UNAUTHORIZED: missing or unknown token'),
  '429': errorAnswer('RATE_LIMITED, with Retry-After'),
}
const writing = { '403': errorAnswer('FORBIDDEN: a read token cannot write') }
const keyParam = queryParam('key', 'the key')
const valueParam = queryParam('value', 'a value, as text or as JSON')
const body = (properties: Record<string, Schema>, required: string[]) =>
  jsonBody({ type: 'object', required, properties })
const values = { type: 'array', items: schemaRef('Primitive') }
const keyAndValues = ok('the list after the change', {
  type: 'object',
  properties: { key: { type: 'string' }, values },
})
const deleted = ok('deleted', {
  type: 'object',
  properties: { key: { type: 'string' }, deleted: { const: true } },
})
const notFound = errorAnswer('NOT_FOUND')

export const lightkvOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'LightKV API (kvgate)',
    version: VERSION,
    description:
      'Items and ordered lists of JSON primitives. An app (its read and read-write tokens from the operator) is one namespace. Keys travel in the query or the body. See plugins/lightkv-compat/README.md.',
  },
  security: [{ appToken: [] }],
  paths: {
    '/watch': { get: watchOperation(common) },
    '/item/write': {
      post: {
        summary: 'Write an item',
        requestBody: body({ key: { type: 'string' }, value: schemaRef('Primitive') }, ['key', 'value']),
        responses: { '200': ok('written'), ...common, ...writing, '413': errorAnswer('PAYLOAD_TOO_LARGE') },
      },
    },
    '/item/read': {
      get: {
        summary: 'Read an item',
        parameters: [keyParam],
        responses: { '200': ok('the value', schemaRef('Primitive')), '404': notFound, ...common },
      },
    },
    '/item/delete': {
      delete: {
        summary: 'Delete an item',
        parameters: [keyParam],
        responses: { '200': deleted, '404': notFound, ...common, ...writing },
      },
    },
    '/item/exists': {
      get: {
        summary: 'Whether an item exists',
        parameters: [keyParam],
        responses: { '200': ok('true or false', { type: 'boolean' }), ...common },
      },
    },
    '/item/keys': {
      get: {
        summary: 'Every item key, in byte order',
        parameters: [queryParam('prefix', 'only keys starting with this text')],
        responses: { '200': ok('the keys', { type: 'array', items: { type: 'string' } }), ...common },
      },
    },
    '/list/write': {
      post: {
        summary: 'Replace a list',
        requestBody: body({ key: { type: 'string' }, values }, ['key', 'values']),
        responses: { '200': keyAndValues, ...common, ...writing, '413': errorAnswer('PAYLOAD_TOO_LARGE') },
      },
    },
    '/list/read': {
      get: {
        summary: 'Read a list',
        parameters: [keyParam],
        responses: { '200': ok('the values', values), '404': notFound, ...common },
      },
    },
    '/list/add': {
      post: {
        summary: 'Add values not yet in a list (creating it)',
        requestBody: body({ key: { type: 'string' }, values }, ['key', 'values']),
        responses: { '200': keyAndValues, ...common, ...writing, '413': errorAnswer('PAYLOAD_TOO_LARGE') },
      },
    },
    '/list/remove': {
      post: {
        summary: 'Remove values from a list',
        requestBody: body({ key: { type: 'string' }, values }, ['key', 'values']),
        responses: { '200': keyAndValues, '404': notFound, ...common, ...writing },
      },
    },
    '/list/purge': {
      post: {
        summary: 'Delete a list',
        requestBody: body({ key: { type: 'string' } }, ['key']),
        responses: { '200': deleted, '404': notFound, ...common, ...writing },
      },
    },
    '/list/exists': {
      get: {
        summary: 'Whether a list exists, or holds a value',
        parameters: [keyParam, valueParam],
        responses: { '200': ok('true or false', { type: 'boolean' }), ...common },
      },
    },
    '/list/index': {
      get: {
        summary: 'Position of a value in a list, or -1',
        parameters: [keyParam, valueParam],
        responses: { '200': ok('the position', { type: 'integer' }), '404': notFound, ...common },
      },
    },
    '/list/count': {
      get: {
        summary: 'How many values a list holds',
        parameters: [keyParam],
        responses: { '200': ok('the count', { type: 'integer' }), '404': notFound, ...common },
      },
    },
    '/list/slice': {
      get: {
        summary: 'Values from start to end inclusive (negative: from the end)',
        parameters: [
          keyParam,
          queryParam('start', 'default 0', { type: 'integer' }),
          queryParam('end', 'default -1', { type: 'integer' }),
        ],
        responses: { '200': ok('the values', values), '404': notFound, ...common },
      },
    },
    '/list/keys': {
      get: {
        summary: 'Every list key, in byte order',
        parameters: [queryParam('prefix', 'only keys starting with this text')],
        responses: { '200': ok('the keys', { type: 'array', items: { type: 'string' } }), ...common },
      },
    },
  },
  components: {
    securitySchemes: {
      appToken: { type: 'http', scheme: 'bearer', description: "the app's read_token or readwrite_token" },
    },
    schemas: {
      Primitive: { type: ['string', 'number', 'boolean', 'null'] },
      Error: {
        type: 'object',
        properties: {
          ok: { const: false },
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
})
