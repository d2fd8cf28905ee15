// Hostile-input sweeps: a seeded generator of malformed requests (bad percent-encoding, invalid
// UTF-8, huge or empty keys, wrong JSON, bad multipart, odd methods and headers, out-of-range
// numbers) for a dialect's routes, sent through fetch() and as raw bytes over a real port, and the
// checks every answer must pass: no 5xx, the dialect's error shape, and a server that still answers.

import { expect } from 'bun:test'
import { connect } from 'node:net'
import { concatBytes } from '../../core/engine/bytes.ts'
import type { TestKvgate } from './kvgate.ts'

/** mulberry32: small, fast and deterministic, so a failing case can be replayed by its seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (list) => list[Math.floor(next() * list.length)]!,
    chance: (p) => next() < p,
  }
}

export interface Random {
  next(): number
  int(max: number): number
  pick<T>(list: readonly T[]): T
  chance(p: number): boolean
}

/** Path segments and query values that have broken servers before, raw (already percent-encoded or not). */
export const HOSTILE_TEXT = [
  '',
  '%',
  '%Z',
  '%ZZ',
  '%%',
  '%E0%A4%A',
  '%FF',
  '%FF%FE%00',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  'a%00b',
  '.',
  '..',
  '%2E%2E',
  '..%2F..',
  '%2F',
  'a%2Fb',
  '%3F',
  '%23',
  '+',
  '%20',
  'x'.repeat(129),
  'x'.repeat(513),
  'x'.repeat(4000),
  '%F0%9F%98%80',
  '%D0%BA%D0%BB%D1%8E%D1%87',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'tokens',
  'scripts',
  '%u0041',
  '%5C',
  ';',
  '@',
  ':',
]

/** Numeric-looking query values: out of range, malformed, or numbers spelled as other types. */
export const HOSTILE_NUMBERS = [
  '-1',
  '0',
  '-0',
  '1',
  '1e9',
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '9007199254740993',
  'abc',
  '0x10',
  '1.5',
  '%201',
  '1%20',
  '1s',
  '5m',
  '10d',
  'true',
  'null',
  '[]',
  '{}',
  '',
]

/** JSON values as raw text, so 1e400 and -0 reach the server as written. */
export const HOSTILE_JSON = [
  '[]',
  '{}',
  '{"a":{"b":[1,{"c":null}]}}',
  '"1"',
  '1e400',
  '-1e400',
  '-0',
  '"NaN"',
  'null',
  'true',
  '12345678901234567890',
  '""',
  `"${'x'.repeat(600)}"`,
  '["a"]',
  '[1,[2,[3]]]',
  '1.5',
  '-1',
  '0',
  '60',
  '"60"',
  '"\\u0000"',
  '"\\ud800"',
  '"%FF"',
  '"../.."',
  '1e9',
  '{"__proto__":{"x":1}}',
]

/** Bodies that are not what any route expects. */
export const HOSTILE_BODIES: Array<string | Uint8Array> = [
  '',
  ' ',
  '{',
  '[',
  '}',
  'null',
  'true',
  '1e400',
  '-0',
  '"str"',
  '[1,2]',
  '{"a":{"b":[]}}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  new Uint8Array([0xff, 0xfe, 0xfd]),
  new Uint8Array([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
  new Uint8Array([0x00, 0x00, 0x00]),
  '\u0000{"value":1}',
  '\ufeff{"value":1}',
  '['.repeat(20000),
  '{"a":'.repeat(20000),
  `[${'1,'.repeat(20000)}1]`,
  'a=%ZZ&b=%FF&c',
  '=&=&&&',
  'x'.repeat(70000),
]

export const ODD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND']

export const ODD_CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=B',
  'multipart/form-data; boundary="unterminated',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'a/b; c="',
  '*/*',
  `text/${'x'.repeat(4000)}`,
]

export const ODD_AUTHORIZATION = [
  'Bearer',
  'Bearer ',
  'Bearer  ',
  'bearer x',
  'Basic',
  'Basic !!!',
  'Basic %%%',
  `Basic ${btoa(':')}`,
  `Basic ${btoa('\u00ff\u00fe:')}`,
  'Basic =',
  'Digest username="a", realm="b"',
  'Negotiate YII=',
  'AWS4-HMAC-SHA256 Credential=x',
  `Bearer ${'x'.repeat(8000)}`,
  'Bearer a b c',
  'Bearer \u00ff',
  'Token x',
  '=',
]

/** A multipart body around these parts, with boundary B; `broken` leaves it truncated. */
export function multipart(parts: Array<[string, string]>, broken = false): string {
  const text = parts
    .map(
      ([disposition, value]) => `--B\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${value}\r\n`,
    )
    .join('')
  return broken ? text.slice(0, Math.max(0, text.length - 7)) : `${text}--B--\r\n`
}

export const HOSTILE_MULTIPART = [
  multipart([['name="value"', 'hello']]),
  multipart([['name="value"', 'hello']], true),
  multipart([['name="metadata"', '{']]),
  multipart([
    ['name="value"', 'v'],
    ['name="metadata"', '[1,2]'],
  ]),
  multipart([
    ['name="value"', 'v'],
    ['name="metadata[a][b"', 'x'],
    ['name="metadata[__proto__][x]"', 'y'],
    ['name="metadata[]"', 'z'],
  ]),
  multipart([['name="value"; filename="../../etc/passwd"', '\u0000\u00ff']]),
  multipart([['', 'no name']]),
  multipart([['name=""', 'empty name']]),
  multipart([['name="access"', 'public']]),
  multipart([['name="comment"', 'x'.repeat(70000)]]),
  '--B\r\n\r\n--B--',
  '--B--',
  'not multipart at all',
]

/** One request as the generator builds it. */
export interface HostileRequest {
  method: string
  /** Path and query, as raw as the sender allows. */
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array
}

/** What a dialect's fixture tells the generator about its routes. */
export interface RouteSpec {
  methods: string[]
  /** The path below the dialect's prefix; `segment()` gives a plausible or hostile path segment. */
  path(segment: () => string, random: Random): string
  params?: string[]
  /** Raw JSON object templates the route's body may take (fields get hostile values). */
  json?: Array<Record<string, string>>
  /** Other bodies worth sending to this route. */
  bodies?: Array<string | Uint8Array>
  /** Builds a body of the route's own shape with hostile parts (nested ones, say). */
  body?(random: Random): string
}

export interface DialectFixture {
  prefix: string
  routes: RouteSpec[]
  /** Headers that authenticate (several carriers when the dialect has them). */
  auth: Array<Record<string, string>>
  /** Credentials that are wrong in the dialect's own carriers (beside odd Authorization headers). */
  oddAuth?: Array<Record<string, string>>
  /** Plausible path segments (a real bucket id, a plain key) mixed with hostile ones. */
  plain: string[]
  /** Why this error answer is not in the dialect's documented shape, or null when it is. */
  shapeProblem(status: number, headers: Headers, body: Uint8Array): string | null
  /** Called every few cases: puts back what a destructive case removed (a deleted bucket, a changed key). */
  refresh?(): Promise<void>
  /** Statuses >= 500 the contract documents for a request (besides 503 on a store outage). */
  allows5xx?(request: HostileRequest, status: number): boolean
}

/** Builds one hostile request for a dialect. */
export function hostileRequest(random: Random, fixture: DialectFixture): HostileRequest {
  const route = random.pick(fixture.routes)
  const segment = () =>
    random.chance(0.6) ? random.pick(fixture.plain) : random.pick(HOSTILE_TEXT).replace(/ /g, '%20')
  const method = random.chance(0.75) ? random.pick(route.methods) : random.pick(ODD_METHODS)
  let path = fixture.prefix + route.path(segment, random)

  const query: string[] = []
  const names = [...(route.params ?? []), 'x', '__proto__', '%ZZ', '%FF', '']
  for (let i = random.int(4); i > 0; i--) {
    const name = random.chance(0.8) ? random.pick(names) : random.pick(HOSTILE_TEXT)
    const value = random.chance(0.5) ? random.pick(HOSTILE_NUMBERS) : random.pick(HOSTILE_TEXT)
    query.push(random.chance(0.1) ? name : `${name}=${value}`)
    if (random.chance(0.15)) query.push(`${name}=${random.pick(HOSTILE_NUMBERS)}`)
  }
  if (query.length > 0) path += `?${query.join('&')}`

  const headers: Record<string, string> = {}
  if (random.chance(0.75)) Object.assign(headers, random.pick(fixture.auth))
  else if (fixture.oddAuth && random.chance(0.5)) Object.assign(headers, random.pick(fixture.oddAuth))
  else if (random.chance(0.7)) headers.authorization = random.pick(ODD_AUTHORIZATION)

  let body: string | Uint8Array | undefined
  if (method !== 'GET' && method !== 'HEAD' && random.chance(0.85)) {
    const roll = random.next()
    if (roll < 0.2 && route.body) body = route.body(random)
    else if (roll < 0.45 && route.json?.length) body = hostileJson(random, random.pick(route.json))
    else if (roll < 0.6 && route.bodies?.length) body = random.pick(route.bodies)
    else if (roll < 0.75) {
      body = random.pick(HOSTILE_MULTIPART)
      headers['content-type'] = random.chance(0.8) ? 'multipart/form-data; boundary=B' : 'multipart/form-data'
    } else body = random.pick(HOSTILE_BODIES)
    if (!headers['content-type'] && random.chance(0.6))
      headers['content-type'] = random.pick(ODD_CONTENT_TYPES)
  }
  if (random.chance(0.05)) headers.accept = random.pick(['application/json', '*/*', 'text/html', 'x/y;q=abc'])
  if (random.chance(0.05)) headers['if-match'] = random.pick(['*', '"1"', 'W/"x"', '"', 'abc', '1e400'])
  if (random.chance(0.05)) headers['if-none-match'] = random.pick(['*', '"1"', '**', ''])
  return { method, path, headers, body }
}

/** A JSON object from a template whose fields are kept, dropped, duplicated or given hostile values. */
export function hostileJson(random: Random, template: Record<string, string>): string {
  const fields: string[] = []
  for (const [name, value] of Object.entries(template)) {
    const roll = random.next()
    if (roll < 0.15) continue
    const text = roll < 0.55 ? value : random.pick(HOSTILE_JSON)
    fields.push(`${JSON.stringify(name)}:${text}`)
    if (random.chance(0.05)) fields.push(`${JSON.stringify(name)}:${random.pick(HOSTILE_JSON)}`)
  }
  if (random.chance(0.05)) fields.push(`"__proto__":${random.pick(HOSTILE_JSON)}`)
  const object = `{${fields.join(',')}}`
  if (random.chance(0.1)) return `[${object}]`
  return object
}

/** An answer, however it was obtained. */
export interface Answer {
  status: number
  headers: Headers
  body: Uint8Array
}

/** Sends a request through the test kvgate's fetch; null when the Request constructor refuses it. */
export async function sendByFetch(kvgate: TestKvgate, request: HostileRequest): Promise<Answer | null> {
  try {
    new Request(`http://localhost${request.path}`, { method: request.method, headers: request.headers })
  } catch {
    return null
  }
  const response = await kvgate.fetch(request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body as BodyInit | undefined,
  })
  return {
    status: response.status,
    headers: response.headers,
    body: new Uint8Array(await response.arrayBuffer()),
  }
}

/**
 * Sends raw bytes to a real port and reads the answer (the request asks the server to close the
 * connection). Null when the server closed without answering.
 */
export function sendRaw(
  url: string,
  bytes: Uint8Array,
  timeoutMs = 3000,
  end = false,
): Promise<Answer | null> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    const socket = connect({ host: hostname, port: Number(port) })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no complete answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const finish = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(parseAnswer(concatBytes(...chunks)))
    }
    socket.on('data', (chunk: Uint8Array) => {
      chunks.push(new Uint8Array(chunk))
      if (answerComplete(concatBytes(...chunks))) finish()
    })
    socket.on('end', finish)
    socket.on('close', finish)
    // The server may answer and close before it reads a large body; what it answered counts.
    socket.on('error', () => finish())
    if (end) socket.end(bytes)
    else socket.write(bytes)
  })
}

/** Serializes a request as HTTP/1.1 with Connection: close, leaving headers exactly as given. */
export function rawRequest(
  method: string,
  target: string,
  headers: Array<[string, string]>,
  body?: string | Uint8Array,
  host = 'localhost',
): Uint8Array {
  const bodyBytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, 'Connection: close']
  for (const [name, value] of headers) lines.push(`${name}: ${value}`)
  if (bodyBytes && !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    lines.push(`Content-Length: ${bodyBytes.length}`)
  }
  const head = latin1(`${lines.join('\r\n')}\r\n\r\n`)
  return bodyBytes ? concatBytes(head, bodyBytes) : head
}

/** Sends a request over a socket, byte for byte, and reads its answer as text; throws when none came. */
export async function sendRawText(
  url: string,
  request: {
    method: string
    target: string
    headers?: Array<[string, string]>
    body?: string
    host?: string
  },
): Promise<{ status: number; type: string | null; text: string }> {
  const { method, target, headers = [], body, host } = request
  const sent = await sendRaw(url, rawRequest(method, target, headers, body, host))
  if (!sent) throw new Error(`${method} ${target}: no answer`)
  return {
    status: sent.status,
    type: sent.headers.get('content-type'),
    text: new TextDecoder().decode(sent.body),
  }
}

/** A string whose characters are bytes (so invalid UTF-8 can be sent in a path or header). */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0) & 0xff)
}

/** The raw form of a generated request, with its target sent byte for byte. */
export function rawOf(request: HostileRequest): Uint8Array {
  const headers = Object.entries(request.headers)
  return rawRequest(
    request.method,
    request.path,
    headers,
    request.body ?? (request.method === 'GET' ? undefined : ''),
  )
}

const HEAD_END = latin1('\r\n\r\n')

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

function splitHead(bytes: Uint8Array): { status: number; headers: Headers; rest: Uint8Array } | null {
  const end = indexOf(bytes, HEAD_END)
  if (end === -1) return null
  const lines = new TextDecoder('latin1').decode(bytes.subarray(0, end)).split('\r\n')
  const status = Number(lines[0]!.split(' ')[1])
  const headers = new Headers()
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return { status, headers, rest: bytes.subarray(end + 4) }
}

function answerComplete(bytes: Uint8Array): boolean {
  const head = splitHead(bytes)
  if (!head) return false
  const length = head.headers.get('content-length')
  if (length !== null) return head.rest.length >= Number(length)
  if (/chunked/i.test(head.headers.get('transfer-encoding') ?? ''))
    return indexOf(head.rest, latin1('0\r\n\r\n')) !== -1
  return head.status === 204 || head.status === 304
}

function parseAnswer(bytes: Uint8Array): Answer | null {
  const head = splitHead(bytes)
  if (!head) return null
  let body = head.rest
  if (/chunked/i.test(head.headers.get('transfer-encoding') ?? '')) body = dechunk(body)
  const length = head.headers.get('content-length')
  if (length !== null) body = body.subarray(0, Number(length))
  return { status: head.status, headers: head.headers, body }
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = []
  let offset = 0
  for (;;) {
    const lineEnd = indexOf(bytes, latin1('\r\n'), offset)
    if (lineEnd === -1) break
    const size = Number.parseInt(new TextDecoder().decode(bytes.subarray(offset, lineEnd)), 16)
    if (!size) break
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
  return concatBytes(...parts)
}

/** Checks collected over a run; `problems` lists every answer that broke the rules. */
export class Sweep {
  readonly problems: string[] = []
  /** How many answers had each status, to see that the cases reach past authentication. */
  readonly statuses: Record<number, number> = {}
  sent = 0

  constructor(private readonly fixture: DialectFixture) {}

  private underPrefix(path: string): boolean {
    if (!path.startsWith('/')) return true
    let resolved: string
    try {
      resolved = new URL(`http://localhost${path}`).pathname
    } catch {
      return true
    }
    const prefix = this.fixture.prefix
    return resolved === prefix || resolved.startsWith(`${prefix}/`)
  }

  /** Records a problem with the answer to `request`, if it has one. */
  check(request: HostileRequest, answer: Answer | null, via: 'fetch' | 'port', invalidHttp = false): void {
    this.sent++
    const label = `${via} ${request.method} ${request.path.slice(0, 160)} ${describeBody(request)}`
    if (!answer) {
      // Only the HTTP layer may drop a request it cannot parse; kvgate itself always answers.
      if (via === 'fetch' || !invalidHttp) this.problems.push(`${label}: no answer`)
      return
    }
    const { status } = answer
    this.statuses[status] = (this.statuses[status] ?? 0) + 1
    // A request that is not valid HTTP/1.1 is refused by the HTTP layer (Bun's parser) as it sees
    // fit (400, 501, 505); kvgate never sees it.
    if (invalidHttp && !answer.headers.has('x-request-id')) return
    if (status >= 500 && !this.fixture.allows5xx?.(request, status)) {
      this.problems.push(`${label}: ${status} ${preview(answer.body)}`)
      return
    }
    // Answers from the HTTP layer (no request id) never reached kvgate and cannot have its shape;
    // neither can a path whose dot segments resolve outside the dialect's prefix.
    const reachedKvgate = via === 'fetch' || answer.headers.has('x-request-id')
    if (status >= 400 && request.method !== 'HEAD' && reachedKvgate && this.underPrefix(request.path)) {
      const problem = this.fixture.shapeProblem(status, answer.headers, answer.body)
      if (problem) this.problems.push(`${label}: ${status} ${problem}: ${preview(answer.body)}`)
    }
  }
}

function describeBody(request: HostileRequest): string {
  const type = request.headers['content-type'] ? ` [${request.headers['content-type'].slice(0, 40)}]` : ''
  if (request.body === undefined) return type
  const text = typeof request.body === 'string' ? request.body : `bytes(${[...request.body.slice(0, 12)]})`
  return `${type} body=${JSON.stringify(text.slice(0, 80))}`
}

export const preview = (body: Uint8Array) => JSON.stringify(new TextDecoder().decode(body.subarray(0, 160)))

/** Parses a JSON body, or null. */
export function jsonOf(body: Uint8Array): any {
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    return null
  }
}

/** The admin API's error shape, for a fixture's shapeProblem: JSON with one member, `error`. */
export function adminErrorShapeProblem(_status: number, headers: Headers, body: Uint8Array): string | null {
  if (!headers.get('content-type')?.startsWith('application/json'))
    return `content-type ${headers.get('content-type')}`
  const json = jsonOf(body)
  if (typeof json?.error !== 'string' || Object.keys(json).length !== 1) return 'not {"error"}'
  return null
}

/** Whether /healthz still answers 200. */
export async function healthy(kvgate: TestKvgate): Promise<boolean> {
  const response = await kvgate.fetch('/healthz')
  return response.status === 200
}

/** Records unhandled rejections and uncaught exceptions while a sweep runs. */
export function watchUnhandled(): { stop(): string[] } {
  const seen: string[] = []
  const onRejection = (reason: unknown) =>
    seen.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason)}`)
  const onException = (error: unknown) =>
    seen.push(`uncaught exception: ${String((error as Error)?.stack ?? error)}`)
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    stop() {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
      return seen
    },
  }
}

/** A route that accepts a large body, for the over-limit cases. */
export interface BodyRoute {
  method: string
  path: string
  headers: Record<string, string>
  /** The largest body it accepts. */
  limit: number
}

/** One request sent as raw bytes. */
export interface RawCase {
  name: string
  /** The request target, for deciding whether the answer should be in the dialect's shape. */
  target: string
  bytes: Uint8Array
  /** Half-closes the connection after sending. */
  end?: boolean
  /**
   * Not valid HTTP/1.1, or a method Bun's HTTP layer does not know: that layer may refuse or drop
   * it in its own way before kvgate sees it.
   */
  invalidHttp?: boolean
}

/** Raw requests no fetch() could send: broken framing, bytes in the target, absurd headers. */
export function rawCases(fixture: DialectFixture, big: BodyRoute): RawCase[] {
  const p = fixture.prefix
  const auth = Object.entries(fixture.auth[0]!)
  const bigHeaders = Object.entries(big.headers)
  const chunked = (size: number) => {
    const chunk = 'v'.repeat(64 * 1024)
    let body = ''
    for (let sent = 0; sent < size; sent += chunk.length) {
      const part = chunk.slice(0, Math.min(chunk.length, size - sent))
      body += `${part.length.toString(16)}\r\n${part}\r\n`
    }
    return `${body}0\r\n\r\n`
  }
  const raw = (
    name: string,
    method: string,
    target: string,
    headers: Array<[string, string]>,
    body?: string,
    flags: Partial<RawCase> = {},
  ): RawCase => ({ name, target, bytes: rawRequest(method, target, headers, body), ...flags })
  const upload = (
    name: string,
    headers: Array<[string, string]>,
    body: string,
    flags: Partial<RawCase> = {},
  ) => raw(name, big.method, big.path, [...bigHeaders, ...headers], body, flags)
  const invalid = { invalidHttp: true }
  return [
    raw('invalid UTF-8 in the path', 'GET', `${p}/\xff\xfe/\xc0\xaf`, auth),
    raw('invalid UTF-8 in the query', 'GET', `${p}/x?prefix=\xff&key=\xc3`, auth),
    raw('NUL in the path', 'GET', `${p}/a\x00b`, auth, undefined, invalid),
    raw('dot segments out of the prefix', 'GET', `${p}/../../healthz`, auth),
    raw('dot segments inside', 'GET', `${p}/a/../b/./c/..`, auth),
    raw('encoded dot segments', 'DELETE', `${p}/%2e%2e/%2E%2E/x`, auth),
    raw('absolute-form target', 'GET', `http://evil.example${p}/x`, auth),
    raw('asterisk target', 'OPTIONS', '*', auth),
    raw('TRACE', 'TRACE', `${p}/x`, auth),
    // Bun closes the connection on a method it does not know, without an answer.
    raw('unknown method', 'FOO', `${p}/x`, auth, undefined, invalid),
    raw('lower-case method', 'get', `${p}/x`, auth, undefined, invalid),
    upload('negative Content-Length', [['Content-Length', '-1']], 'x', invalid),
    upload('non-numeric Content-Length', [['Content-Length', 'abc']], 'x', invalid),
    upload('huge Content-Length', [['Content-Length', '99999999999999999999']], 'x', invalid),
    upload('Content-Length list', [['Content-Length', '1, 2']], 'xx', invalid),
    upload(
      'two Content-Lengths',
      [
        ['Content-Length', '1'],
        ['Content-Length', '2'],
      ],
      'xx',
      invalid,
    ),
    upload('Content-Length over the limit', [['Content-Length', String(big.limit + 1)]], 'x'),
    upload('body shorter than its Content-Length', [['Content-Length', '10']], 'xy', {
      end: true,
      invalidHttp: true,
    }),
    upload('chunked body over the limit', [['Transfer-Encoding', 'chunked']], chunked(big.limit + 70_000)),
    upload(
      'chunked body at the limit',
      [['Transfer-Encoding', 'chunked']],
      chunked(Math.min(big.limit, 200_000)),
    ),
    upload('malformed chunk size', [['Transfer-Encoding', 'chunked']], 'zz\r\nabc\r\n0\r\n\r\n', invalid),
    upload(
      'chunked and Content-Length',
      [
        ['Transfer-Encoding', 'chunked'],
        ['Content-Length', '3'],
      ],
      '3\r\nabc\r\n0\r\n\r\n',
      invalid,
    ),
    upload('unknown Transfer-Encoding', [['Transfer-Encoding', 'gzip, chunked']], '0\r\n\r\n', invalid),
    raw('very long header', 'GET', `${p}/x`, [...auth, ['X-Long', 'a'.repeat(20_000)]]),
    raw('very long Authorization', 'GET', `${p}/x`, [['Authorization', `Bearer ${'a'.repeat(60_000)}`]]),
    raw(
      'Authorization with raw bytes',
      'GET',
      `${p}/x`,
      [['Authorization', 'Bearer \xff\xfe\x01']],
      undefined,
      invalid,
    ),
    raw('many headers', 'GET', `${p}/x`, [
      ...auth,
      ...Array.from({ length: 300 }, (_, i): [string, string] => [`X-H${i}`, 'v']),
    ]),
    {
      name: 'header without a colon',
      target: `${p}/x`,
      bytes: latin1(`GET ${p}/x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nBroken header\r\n\r\n`),
      invalidHttp: true,
    },
    { name: 'HTTP/1.0 without Host', target: `${p}/x`, bytes: latin1(`GET ${p}/x HTTP/1.0\r\n\r\n`) },
    ...['', 'a b', '[::1', 'a/b', '%ZZ'].map(
      (host): RawCase => ({
        name: `Host ${JSON.stringify(host)}`,
        target: big.path,
        bytes: latin1(
          `${big.method} ${big.path}?prefix=a&ttl=60 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${bigHeaders
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join('')}Content-Length: 2\r\n\r\n{}`,
        ),
      }),
    ),
    {
      name: 'HTTP/1.0 without Host, with a body',
      target: big.path,
      bytes: latin1(
        `${big.method} ${big.path}?ttl=60 HTTP/1.0\r\n${bigHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join('')}Content-Length: 2\r\n\r\n{}`,
      ),
    },
    upload(
      'Content-Type with raw bytes',
      [['Content-Type', 'application/json; charset=\xff']],
      '{"value":1}',
    ),
    raw('very long path', 'GET', `${p}/${'k'.repeat(30_000)}`, auth),
  ]
}

export interface SweepOptions {
  seed: number
  /** Generated requests sent through fetch(). */
  fetchCases: number
  /** Generated requests sent as raw bytes over a real port. */
  portCases: number
  big: BodyRoute
}

/** Runs the generated and raw cases against one kvgate and returns every problem found. */
export async function sweep(
  kvgate: TestKvgate,
  url: string,
  fixture: DialectFixture,
  options: SweepOptions,
): Promise<{ problems: string[]; sent: number; statuses: Record<number, number> }> {
  const random = seededRandom(options.seed)
  const checks = new Sweep(fixture)
  const unhealthy = async (after: string) => {
    if (!(await healthy(kvgate))) checks.problems.push(`/healthz failed after ${after}`)
  }
  for (let i = 0; i < options.fetchCases; i++) {
    const request = hostileRequest(random, fixture)
    checks.check(request, await sendByFetch(kvgate, request), 'fetch')
    if (i % 50 === 49) await unhealthy(`fetch case ${i}`)
    if (i % 10 === 9) await fixture.refresh?.()
  }
  for (let i = 0; i < options.portCases; i++) {
    const request = hostileRequest(random, fixture)
    let answer: Answer | null
    try {
      answer = await sendRaw(url, rawOf(request))
    } catch (error) {
      checks.problems.push(
        `port ${request.method} ${request.path.slice(0, 120)}: ${(error as Error).message}`,
      )
      continue
    }
    checks.check(request, answer, 'port')
    if (i % 10 === 9) await fixture.refresh?.()
  }
  for (const each of rawCases(fixture, options.big)) {
    const request: HostileRequest = { method: `RAW(${each.name})`, path: each.target, headers: {} }
    try {
      checks.check(request, await sendRaw(url, each.bytes, 5000, each.end), 'port', each.invalidHttp)
    } catch (error) {
      checks.problems.push(`port ${each.name}: ${(error as Error).message}`)
    }
    await unhealthy(each.name)
  }
  const response = await fetch(`${url}/healthz`)
  if (response.status !== 200) checks.problems.push(`/healthz over the port answered ${response.status}`)
  return { problems: checks.problems, sent: checks.sent, statuses: checks.statuses }
}

/** Path segments (percent-encoded as sent) that must name a key of their own, read back exactly. */
export const ODD_KEYS = [
  '%00',
  'a%00b',
  '%FF%FE',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%D0%BA%D0%BB%D1%8E%D1%87',
  '..%2F..',
  'a%2Fb',
  '%25ZZ',
  '__proto__',
]

/** Writes a binary value under each odd key with PUT and checks that GET answers it byte for byte. */
export async function expectOddKeysReadBack(
  kvgate: TestKvgate,
  pathOf: (key: string) => string,
  headers: Record<string, string>,
  keys: readonly string[] = ODD_KEYS,
): Promise<void> {
  const value = new Uint8Array([0, 0xff, 0x80, 0x0a])
  for (const key of keys) {
    const written = await kvgate.fetch(pathOf(key), { method: 'PUT', headers, body: value })
    expect({ key, status: written.status }).toEqual({ key, status: 200 })
    const read = await kvgate.fetch(pathOf(key), { headers })
    expect({ key, status: read.status }).toEqual({ key, status: 200 })
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(value)
  }
}
