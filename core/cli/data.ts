// `kvgate data ...`: what is stored, on the command line. It works on the configured store directly,
// or, given --url (KVGATE_URL), through a running server's /admin API with KVGATE_ADMIN_TOKEN; both
// give the same JSON (--json), which is what the admin API answers. Without --json, lists are
// aligned tables and `get` prints the value itself (with its facts above it on a terminal).

import { Buffer } from 'node:buffer'
import { AdminData, type NamespaceJson } from '../admin/data.ts'
import type { EntryJson, EntryWrite, KeyRowJson } from '../admin/entry-json.ts'
import { Accounts } from '../auth/accounts.ts'
import { accountKinds, type Dialect, jsonValueDialects } from '../dialect.ts'
import { fromUtf8Strict, utf8 } from '../engine/bytes.ts'
import { isEngineError } from '../engine/errors.ts'
import { HttpError } from '../http/errors.ts'
import { remoteData } from './data-remote.ts'
import { UsageError } from './fail.ts'
import { openConfiguredEngine, parseStoreCommand, STORE_USAGE } from './store.ts'
import { formatTable } from './table.ts'

export const DATA_USAGE = `usage:
  kvgate data namespaces [--dialect D] [--account ID] [--limit N] [--cursor C]
  kvgate data keys NS [--prefix P] [--limit N] [--cursor C]
  kvgate data get NS KEY
  kvgate data put NS KEY [VALUE|-] [--ttl SECONDS]   (no VALUE or "-": the value is read from stdin)
  kvgate data delete NS KEY
  --json prints the admin API's JSON
${STORE_USAGE}
remote server: --url http://HOST:PORT (or KVGATE_URL) with KVGATE_ADMIN_TOKEN`

/** What `kvgate data` reads and writes through: the store itself, or a server's admin API. */
export interface DataSource {
  namespaces(query: {
    dialect?: string
    account?: string
    cursor?: string
    limit: number
  }): Promise<{ namespaces: NamespaceJson[]; cursor: string | null }>
  keys(
    ns: string,
    query: { prefix?: Uint8Array; cursor?: string; limit: number },
  ): Promise<{ keys: KeyRowJson[]; cursor: string | null }>
  entry(ns: string, key: Uint8Array): Promise<EntryJson | null>
  putEntry(ns: string, key: Uint8Array, write: EntryWrite): Promise<{ version: number }>
  deleteEntry(ns: string, key: Uint8Array): Promise<boolean>
}

export interface DataIo {
  /** Whether stdout is a terminal. */
  isTTY: boolean
  readStdin(): Promise<Uint8Array>
}

/** What a data command prints on stdout, and on stderr (a pointer to the next page). */
export interface DataOutput {
  stdout: string | Uint8Array
  stderr?: string
}

export async function runData(
  argv: string[],
  env: Record<string, string | undefined>,
  dialects: Dialect[],
  io: DataIo,
): Promise<DataOutput> {
  const { values, positionals } = parseStoreCommand(
    argv,
    {
      dialect: { type: 'string' },
      account: { type: 'string' },
      prefix: { type: 'string' },
      cursor: { type: 'string' },
      limit: { type: 'string' },
      ttl: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
    },
    DATA_USAGE,
  )
  const [action, ns, keyText, value, ...extra] = positionals
  const usage = (problem: string) => new UsageError(`${problem}\n${DATA_USAGE}`)
  const needs = (count: number, what: string) => {
    if (positionals.length - 1 < count) throw usage(`${action} needs ${what}`)
  }
  if (extra.length > 0 || (action !== 'put' && value !== undefined)) {
    throw usage(`unexpected "${positionals.slice(action === 'put' ? 4 : 3).join(' ')}"`)
  }
  const limit = values.limit === undefined ? 100 : Number(values.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usage('--limit must be from 1 to 1000')
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl)
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1))
    throw usage('--ttl must be whole seconds, at least 1')
  switch (action) {
    case 'namespaces':
      if (ns !== undefined) throw usage(`unexpected "${ns}"`)
      break
    case 'keys':
      needs(1, 'a namespace id')
      break
    case 'get':
    case 'put':
    case 'delete':
      needs(2, 'a namespace id and a key')
      break
    default:
      throw usage(action ? `unknown data command "${action}"` : 'missing data command')
  }

  const url = values.url ?? env.KVGATE_URL
  let close = async () => {}
  let source: DataSource
  if (url) {
    if (!env.KVGATE_ADMIN_TOKEN)
      throw new UsageError('KVGATE_ADMIN_TOKEN is needed to reach a server with --url')
    source = remoteData(url, env.KVGATE_ADMIN_TOKEN)
  } else {
    const engine = openConfiguredEngine(values, env, dialects)
    source = new AdminData(engine, new Accounts(engine, accountKinds(dialects)), jsonValueDialects(dialects))
    close = async () => {
      await engine.namespaces.drainDeleted()
      await engine.close()
    }
  }
  const json = (answer: unknown): DataOutput => ({ stdout: `${JSON.stringify(answer, null, 2)}\n` })
  const more = (cursor: string | null) => (cursor ? `more: --cursor ${cursor}\n` : undefined)
  try {
    const key = keyText === undefined ? new Uint8Array() : utf8(keyText)
    switch (action) {
      case 'namespaces': {
        const page = await source.namespaces({
          dialect: values.dialect,
          account: values.account,
          cursor: values.cursor,
          limit,
        })
        if (values.json) return json(page)
        return { stdout: namespaceTable(page.namespaces), stderr: more(page.cursor) }
      }
      case 'keys': {
        const prefix = values.prefix === undefined ? undefined : utf8(values.prefix)
        const page = await source.keys(ns!, { prefix, cursor: values.cursor, limit })
        if (values.json) return json(page)
        return { stdout: keyTable(page.keys), stderr: more(page.cursor) }
      }
      case 'get': {
        const entry = await source.entry(ns!, key)
        if (!entry) throw new UsageError(`key "${keyText}" not found in ${ns}`)
        if (values.json) return json(entry)
        const bytes =
          entry.encoding === 'base64' ? new Uint8Array(Buffer.from(entry.value, 'base64')) : utf8(entry.value)
        return { stdout: io.isTTY ? `${entryFacts(entry)}\n${shown(bytes)}\n` : bytes }
      }
      case 'put': {
        const bytes = value === undefined || value === '-' ? await io.readStdin() : utf8(value)
        const text = fromUtf8Strict(bytes)
        const write: EntryWrite =
          text === null
            ? { value: Buffer.from(bytes).toString('base64'), encoding: 'base64', ttl }
            : { value: text, encoding: 'text', ttl }
        const written = await source.putEntry(ns!, key, write)
        return values.json ? json(written) : { stdout: '' }
      }
      case 'delete': {
        if (!(await source.deleteEntry(ns!, key))) throw new UsageError(`key "${keyText}" not found in ${ns}`)
        return { stdout: '' }
      }
    }
    throw usage('missing data command')
  } catch (error) {
    if (isEngineError(error) || error instanceof HttpError) {
      throw new UsageError(
        error.message === 'namespace not found' ? `namespace ${ns} not found` : error.message,
      )
    }
    throw error
  } finally {
    await close()
  }
}

const dash = (value: string | null | undefined) => (value === null || value === undefined ? '-' : value)
const metadataText = (metadata: unknown) => (metadata === null ? '-' : JSON.stringify(metadata))

function namespaceTable(namespaces: NamespaceJson[]): string {
  return formatTable(
    ['ID', 'DIALECT', 'OWNER', 'TITLE', 'KEYS', 'CREATED'],
    namespaces.map((ns) => [
      ns.id,
      ns.dialect,
      dash(ns.owner),
      dash(ns.title),
      String(ns.keys),
      ns.created_at,
    ]),
  )
}

function keyTable(keys: KeyRowJson[]): string {
  return formatTable(
    ['KEY', 'SIZE', 'KIND', 'VERSION', 'EXPIRES', 'METADATA'],
    keys.map((row) => [
      row.encoding === 'base64' ? `base64:${row.key}` : row.key,
      String(row.size),
      row.kind,
      String(row.version),
      dash(row.expires_at),
      metadataText(row.metadata),
    ]),
  )
}

function entryFacts(entry: EntryJson): string {
  return formatTable(
    ['KIND', 'VERSION', 'UPDATED', 'EXPIRES', 'METADATA'],
    [
      [
        entry.kind,
        String(entry.version),
        entry.updated_at,
        dash(entry.expires_at),
        metadataText(entry.metadata),
      ],
    ],
  )
}

/** A value on a terminal: as text when it is UTF-8, else as a note (raw bytes would garble it). */
function shown(bytes: Uint8Array): string {
  const text = fromUtf8Strict(bytes)
  return text ?? `(${bytes.length} bytes, not UTF-8: redirect stdout or use --json for base64)`
}
