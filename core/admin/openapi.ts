// The admin API's OpenAPI document (/openapi/admin.json): accounts, namespaces, keys, entries and
// stats, all behind `Authorization: Bearer $KVGATE_ADMIN_TOKEN`. Paths are relative to /admin.

import { VALUE_KINDS } from '../engine/types.ts'
import {
  emptyAnswer,
  errorAnswer,
  headerParam,
  jsonAnswer,
  jsonBody,
  openApiDocument,
  queryParam,
  schemaRef,
} from '../openapi.ts'
import { VERSION } from '../version.ts'
import { watchOperation } from '../watch/openapi.ts'

const refused = { '401': errorAnswer('missing or wrong admin token') }
const time = { type: ['string', 'null'], format: 'date-time' }
const limit = (max: number) =>
  queryParam('limit', `page size, 1 to ${max}`, { type: 'integer', minimum: 1, maximum: max, default: 100 })

export const adminOpenApi = openApiDocument({
  openapi: '3.1.0',
  info: {
    title: 'kvgate admin API',
    version: VERSION,
    description:
      "The operator's interface: accounts and credentials of the dialects that take them, and every dialect's namespaces and entries. Off unless KVGATE_ADMIN_TOKEN is set.",
  },
  security: [{ adminToken: [] }],
  paths: {
    '/accounts': {
      post: {
        summary: 'Create an account and its credentials (shown once)',
        tags: ['accounts'],
        requestBody: jsonBody({
          type: 'object',
          required: ['dialect'],
          properties: {
            dialect: { enum: ['cloudkv', 'workers-kv', 'lightkv', 'rocketstack'] },
            name: { type: ['string', 'null'], maxLength: 200 },
          },
        }),
        responses: {
          '201': jsonAnswer('the account and its credentials', schemaRef('IssuedCredentials')),
          '400': errorAnswer('bad input'),
          ...refused,
        },
      },
      get: {
        summary: 'List accounts (no secrets)',
        tags: ['accounts'],
        responses: {
          '200': jsonAnswer('every account', { type: 'array', items: schemaRef('Account') }),
          ...refused,
        },
      },
    },
    '/accounts/{id}/rotate': {
      post: {
        summary: 'Issue new credentials; the old ones stop working at once',
        tags: ['accounts'],
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { which: { enum: ['read', 'readwrite', 'both'] } } },
            },
          },
        },
        responses: {
          '200': jsonAnswer('the new credentials', schemaRef('IssuedCredentials')),
          '404': errorAnswer('no such account'),
          ...refused,
        },
      },
    },
    '/accounts/{id}': {
      delete: {
        summary: 'Delete an account, its credentials and the namespaces it owns',
        tags: ['accounts'],
        responses: { '204': emptyAnswer('deleted'), '404': errorAnswer('no such account'), ...refused },
      },
    },
    '/namespaces': {
      get: {
        summary: "List every dialect's namespaces, in id order",
        tags: ['data'],
        parameters: [
          queryParam('dialect', 'only this dialect'),
          queryParam('account', 'only namespaces this account owns'),
          queryParam('cursor', 'the cursor of the previous page'),
          limit(1000),
        ],
        responses: {
          '200': jsonAnswer('a page of namespaces', {
            type: 'object',
            properties: {
              namespaces: { type: 'array', items: schemaRef('Namespace') },
              cursor: { type: ['string', 'null'], description: 'null on the last page' },
            },
          }),
          '400': errorAnswer('bad query'),
          ...refused,
        },
      },
    },
    '/namespaces/{id}': {
      get: {
        summary: 'One namespace',
        tags: ['data'],
        responses: {
          '200': jsonAnswer('the namespace', schemaRef('Namespace')),
          '404': errorAnswer('no such namespace'),
          ...refused,
        },
      },
      delete: {
        summary: 'Delete a namespace; its entries are removed in the background',
        tags: ['data'],
        responses: { '204': emptyAnswer('deleted'), '404': errorAnswer('no such namespace'), ...refused },
      },
    },
    '/namespaces/{id}/watch': {
      get: {
        ...watchOperation({
          '400': errorAnswer('bad watch query'),
          '404': errorAnswer('no such namespace'),
          ...refused,
        }),
        tags: ['data'],
      },
    },
    '/namespaces/{id}/keys': {
      get: {
        summary: 'List keys in byte order',
        tags: ['data'],
        parameters: [
          queryParam('prefix', 'only keys starting with these bytes (percent-encoded)'),
          queryParam('cursor', 'the cursor of the previous page'),
          limit(1000),
        ],
        responses: {
          '200': jsonAnswer('a page of keys', {
            type: 'object',
            properties: {
              keys: { type: 'array', items: schemaRef('KeyRow') },
              cursor: { type: ['string', 'null'], description: 'null on the last page' },
            },
          }),
          '400': errorAnswer('bad query'),
          '404': errorAnswer('no such namespace'),
          ...refused,
        },
      },
    },
    '/namespaces/{id}/entries/{key}': {
      get: {
        summary: 'Read an entry',
        tags: ['data'],
        responses: {
          '200': {
            ...jsonAnswer('the entry', schemaRef('Entry')),
            headers: { ETag: { description: 'the version, quoted', schema: { type: 'string' } } },
          },
          '404': errorAnswer('no such namespace or key'),
          ...refused,
        },
      },
      put: {
        summary: 'Write an entry',
        description:
          "The kind and content type stay the stored entry's where the new value fits them. Without ttl or expires_at the entry never expires; without metadata it keeps its metadata.",
        tags: ['data'],
        parameters: [
          headerParam('If-Match', 'write only if the entry is at this version ("*": only if it exists)'),
        ],
        requestBody: jsonBody(schemaRef('EntryWrite')),
        responses: {
          '200': {
            ...jsonAnswer('written', { type: 'object', properties: { version: { type: 'integer' } } }),
            headers: { ETag: { description: 'the new version, quoted', schema: { type: 'string' } } },
          },
          '400': errorAnswer('bad input'),
          '404': errorAnswer('no such namespace'),
          '412': errorAnswer('the entry is not at the version If-Match names'),
          '413': errorAnswer('key, value or metadata too large'),
          ...refused,
        },
      },
      delete: {
        summary: 'Delete an entry',
        tags: ['data'],
        parameters: [headerParam('If-Match', 'delete only if the entry is at this version')],
        responses: {
          '204': emptyAnswer('deleted'),
          '404': errorAnswer('no such namespace or key'),
          '412': errorAnswer('the entry is not at the version If-Match names'),
          ...refused,
        },
      },
    },
    '/stats': {
      get: {
        summary: 'Backend, version, uptime, counts and request rates',
        tags: ['data'],
        responses: {
          '200': jsonAnswer('the figures', {
            type: 'object',
            properties: {
              backend: { type: 'string' },
              version: { type: 'string' },
              uptime: { type: 'integer', description: 'seconds' },
              counts: {
                type: 'object',
                properties: {
                  namespaces: { type: 'object', additionalProperties: { type: 'integer' } },
                  accounts: { type: 'object', additionalProperties: { type: 'integer' } },
                },
              },
              rates: {
                type: 'object',
                description:
                  'requests per second over the last 10 s, by dialect ("core": kvgate\'s own routes), and total',
                additionalProperties: { type: 'number' },
              },
            },
          }),
          ...refused,
        },
      },
    },
  },
  components: {
    securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'KVGATE_ADMIN_TOKEN' } },
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
      Account: {
        type: 'object',
        properties: {
          account_id: { type: 'string' },
          dialect: { type: 'string' },
          name: { type: ['string', 'null'] },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
      IssuedCredentials: {
        type: 'object',
        properties: {
          account_id: { type: 'string' },
          dialect: { type: 'string' },
          credentials: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      Namespace: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          dialect: { type: 'string' },
          owner: { type: ['string', 'null'] },
          title: { type: ['string', 'null'] },
          keys: { type: 'integer', description: 'live entries' },
          created_at: { type: 'string', format: 'date-time' },
        },
      },
      KeyRow: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          encoding: { enum: ['utf8', 'base64'] },
          size: { type: 'integer' },
          kind: { enum: [...VALUE_KINDS] },
          version: { type: 'integer' },
          expires_at: time,
          metadata: {},
        },
      },
      Entry: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          value: { type: 'string' },
          encoding: { enum: ['text', 'json', 'base64'] },
          kind: { enum: [...VALUE_KINDS] },
          content_type: { type: ['string', 'null'] },
          version: { type: 'integer' },
          updated_at: { type: 'string', format: 'date-time' },
          expires_at: time,
          metadata: {},
        },
      },
      EntryWrite: {
        type: 'object',
        required: ['value'],
        properties: {
          value: { type: 'string' },
          encoding: { enum: ['text', 'json', 'base64'], default: 'text' },
          kind: { enum: [...VALUE_KINDS] },
          metadata: { description: 'any JSON; null removes it' },
          ttl: { type: 'integer', minimum: 1, description: 'seconds' },
          expires_at: {
            type: ['string', 'integer', 'null'],
            description: 'ISO 8601, or seconds since the epoch',
          },
        },
      },
    },
  },
})
