// OpenAPI 3.1 documents: each dialect carries one, hand-written next to its routes, with paths
// relative to its base URL; the server serves it at /openapi/<name>.json with `servers` naming where
// the dialect is mounted. The helpers keep the documents short: path parameters are filled in from
// the path, and common answers are one call.

export type Schema = Record<string, unknown>

export interface OpenApiResponse {
  description: string
  headers?: Record<string, { description?: string; schema: Schema }>
  content?: Record<string, { schema: Schema; example?: unknown }>
}

export interface OpenApiParameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  description?: string
  schema: Schema
}

export interface OpenApiOperation {
  summary: string
  description?: string
  tags?: string[]
  parameters?: OpenApiParameter[]
  requestBody?: { required?: boolean; description?: string; content: Record<string, { schema: Schema }> }
  responses: Record<string, OpenApiResponse>
  security?: Array<Record<string, string[]>>
}

export type OpenApiMethod = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'options' | 'head'
export type OpenApiPathItem = Partial<Record<OpenApiMethod, OpenApiOperation>> & { description?: string }

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description?: string }
  servers?: Array<{ url: string; description?: string }>
  tags?: Array<{ name: string; description?: string }>
  paths: Record<string, OpenApiPathItem>
  components?: {
    schemas?: Record<string, Schema>
    securitySchemes?: Record<string, Record<string, unknown>>
  }
  security?: Array<Record<string, string[]>>
}

export const OPENAPI_METHODS: OpenApiMethod[] = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']

/** A JSON answer. */
export const jsonAnswer = (description: string, schema: Schema = {}): OpenApiResponse => ({
  description,
  content: { 'application/json': { schema } },
})

/** A plain-text answer. */
export const textAnswer = (description: string): OpenApiResponse => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' } } },
})

/** A reference to one of the document's components.schemas. */
export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })

/** A JSON error answer, its body the document's own `Error` schema. */
export const errorAnswer = (description: string): OpenApiResponse =>
  jsonAnswer(description, schemaRef('Error'))

/** A required JSON request body. */
export const jsonBody = (schema: Schema): NonNullable<OpenApiOperation['requestBody']> => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** An answer without a body. */
export const emptyAnswer = (description: string): OpenApiResponse => ({ description })

export const queryParam = (name: string, description: string, schema: Schema = { type: 'string' }) =>
  ({ name, in: 'query', description, schema }) satisfies OpenApiParameter

export const headerParam = (name: string, description: string, schema: Schema = { type: 'string' }) =>
  ({ name, in: 'header', description, schema }) satisfies OpenApiParameter

/** A document as written, with every path's "{name}" declared as a required path parameter. */
export function openApiDocument(document: OpenApiDocument): OpenApiDocument {
  const paths: Record<string, OpenApiPathItem> = {}
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)
    const filled: OpenApiPathItem = { ...item }
    for (const method of OPENAPI_METHODS) {
      const operation = item[method]
      if (!operation) continue
      const given = operation.parameters ?? []
      const missing = names
        .filter((name) => !given.some((param) => param.in === 'path' && param.name === name))
        .map((name) => ({
          name,
          in: 'path' as const,
          required: true,
          description: name === 'key' ? 'the key, percent-encoded (it may hold "/")' : undefined,
          schema: { type: 'string' },
        }))
      filled[method] = { ...operation, parameters: [...missing, ...given] }
    }
    paths[path] = filled
  }
  return { ...document, paths }
}

/** The document as served for mounts at these base URLs. */
export function servedDocument(document: OpenApiDocument, baseUrls: string[]): OpenApiDocument {
  return { ...document, servers: baseUrls.map((url) => ({ url })) }
}

/**
 * A route as the router declares it (":name", a final "*") and a path as a document writes it
 * ("{name}") in one form, for comparing the two: parameters unnamed, the bare prefix as "/".
 */
export function routeShape(path: string): string {
  const shaped = path
    .split('/')
    .map((segment) =>
      segment === '*' || segment.startsWith(':') || /^\{[^}]+\}$/.test(segment) ? '{}' : segment,
    )
    .join('/')
  return shaped === '' ? '/' : shaped
}
