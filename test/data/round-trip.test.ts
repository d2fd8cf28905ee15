// Export and import end to end: embedded -> JSONL -> Redis -> JSONL -> embedded gives the same dump
// each time, and every dialect answers the same reads on each store, with the credentials issued
// on the first one (import carries their hashes).

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ExportStats, emptyExportStats, exportDump } from '../../core/data/exporter.ts'
import type { OnConflict } from '../../core/data/import-writer.ts'
import { emptyImportStats, importDump } from '../../core/data/importer.ts'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { UnavailableError } from '../../core/engine/errors.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { dialects } from '../../plugins/index.ts'
import { type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { ManualClock } from '../support/manual-clock.ts'
import { redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const redis = (await requireRedis('redis', redisUrl())) ? redisUrl() : null
const folder = mkdtempSync(join(tmpdir(), 'kvgate-round-trip-'))
const clock = new ManualClock()
const kvgates: TestKvgate[] = []
afterAll(async () => {
  for (const each of kvgates) await each.close()
})

function open(env: Record<string, string>): TestKvgate {
  const kvgate = testKvgate(dialects, env, { clock })
  kvgates.push(kvgate)
  return kvgate
}
const embedded = (name: string) => open({ KVGATE_DATA: join(folder, `${name}.db`) })

async function dump(kvgate: TestKvgate): Promise<{ lines: string[]; stats: ExportStats }> {
  const stats = emptyExportStats()
  let text = ''
  for await (const chunk of exportDump(kvgate.engine, { sides: () => ['scripts'] }, stats)) text += chunk
  return { lines: text.split('\n').filter(Boolean), stats }
}

async function load(kvgate: TestKvgate, lines: string[], onConflict: OnConflict = 'skip') {
  async function* each() {
    yield* lines
  }
  return importDump(kvgate.engine, each(), { onConflict }, emptyImportStats())
}

/** Everything but the header, which names the dump and the store it was read from. */
const body = (lines: string[]) => lines.slice(1)

interface Seeded {
  reads: Array<[string, RequestInit?]>
}

/** Data in every dialect, through each one's API, plus entries only the engine writes (binary keys, kinds). */
async function seed(kvgate: TestKvgate): Promise<Seeded> {
  const reads: Seeded['reads'] = []
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  const bucket = await (
    await kvgate.fetch('/kvdb/', { method: 'POST', headers: form, body: 'email=a@b.c' })
  ).text()
  for (let i = 0; i < 120; i++) {
    await kvgate.fetch(`/kvdb/${bucket}/k${String(i).padStart(3, '0')}`, {
      method: 'PUT',
      body: `value ${i}`,
    })
  }
  await kvgate.fetch(`/kvdb/${bucket}/short?ttl=60`, { method: 'PUT', body: 'short-lived' })
  await kvgate.fetch(`/kvdb/${bucket}/gone?ttl=1`, { method: 'PUT', body: 'expired before export' })
  const { engine } = kvgate
  await engine.put(bucket, new Uint8Array([0, 255, 1]), { bytes: new Uint8Array([222, 173, 190, 239]) })
  await engine.put(bucket, utf8('counter'), { bytes: utf8('41'), kind: 'int' }, { ttlMs: 3_600_000 })
  await engine.put(`${bucket}-scripts`, utf8('hello'), { bytes: utf8('return 1'), kind: 'text' })
  for (const key of ['k000', 'k063', 'k119', 'short', 'gone', 'counter', 'missing', '']) {
    reads.push([`/kvdb/${bucket}/${key}`])
  }

  const cloud = await kvgate.createAccount('cloudkv', 'shop')
  const cloudAuth = { 'api-key': cloud.credentials.api_key! }
  const access = new FormData()
  access.set('access', 'protected')
  const created = await kvgate.fetch('/cloudkv/buckets', { method: 'POST', headers: cloudAuth, body: access })
  expect(created.status).toBe(201)
  const { bucket_id } = (await created.json()) as { bucket_id: string }
  for (let i = 0; i < 60; i++) {
    await kvgate.fetch(`/cloudkv/kv/${bucket_id}/c${i}`, {
      method: 'PUT',
      headers: cloudAuth,
      body: `cloud ${i}`,
    })
  }
  for (const key of ['c0', 'c59', 'nope'])
    reads.push([`/cloudkv/kv/${bucket_id}/${key}`, { headers: cloudAuth }])
  reads.push(['/cloudkv/buckets', { headers: cloudAuth }])

  const workers = await kvgate.createAccount('workers-kv')
  const workersAuth = { authorization: `Bearer ${workers.credentials.api_token}` }
  const namespaces = `/client/v4/accounts/${workers.account_id}/storage/kv/namespaces`
  const ns = (await (
    await kvgate.fetch(namespaces, {
      method: 'POST',
      headers: workersAuth,
      body: JSON.stringify({ title: 'cfg' }),
    })
  ).json()) as { result: { id: string } }
  const values = `${namespaces}/${ns.result.id}`
  for (let i = 0; i < 60; i++) {
    const body = new FormData()
    body.set('value', `worker ${i}`)
    body.set('metadata', JSON.stringify({ i, tag: 'w' }))
    await kvgate.fetch(`${values}/values/w${i}?expiration_ttl=86400`, {
      method: 'PUT',
      headers: workersAuth,
      body,
    })
  }
  for (const path of ['/values/w0', '/values/w59', '/metadata/w7', '/keys', '/keys?prefix=w5']) {
    reads.push([values + path, { headers: workersAuth }])
  }
  reads.push([namespaces, { headers: workersAuth }])

  const light = await kvgate.createAccount('lightkv', 'app')
  const lightAuth = { authorization: `Bearer ${light.credentials.readwrite_token}` }
  const lightRead = { authorization: `Bearer ${light.credentials.read_token}` }
  const post = (path: string, body: unknown) =>
    kvgate.fetch(`/lightkv${path}`, { method: 'POST', headers: lightAuth, body: JSON.stringify(body) })
  for (let i = 0; i < 40; i++) await post('/item/write', { key: `item${i}`, value: { n: i, s: 'x' } })
  await post('/list/write', { key: 'queue', values: [1, 'two', true, null] })
  await post('/list/write', { key: 'tags', values: ['a', 'b'] })
  for (const path of [
    '/item/read?key=item0',
    '/item/read?key=item39',
    '/list/read?key=queue',
    '/list/keys',
  ]) {
    reads.push([`/lightkv${path}`, { headers: lightRead }])
  }

  const rocket = await kvgate.createAccount('rocketstack')
  const rocketAuth = {
    authorization: `Bearer ${rocket.credentials.api_key}`,
    'content-type': 'application/json',
  }
  for (let i = 0; i < 40; i++) {
    await kvgate.fetch(`/rocketstack/kv/items/r${i}`, {
      method: 'PUT',
      headers: rocketAuth,
      body: JSON.stringify({ value: { i } }),
    })
  }
  for (const key of ['r0', 'r39', 'none'])
    reads.push([`/rocketstack/kv/items/${key}`, { headers: rocketAuth }])
  reads.push(['/rocketstack/kv/items', { headers: rocketAuth }])
  return { reads }
}

async function answers(kvgate: TestKvgate, reads: Seeded['reads']): Promise<string[]> {
  const out: string[] = []
  for (const [path, init] of reads) {
    const response = await kvgate.fetch(path, init)
    const etag = response.headers.get('etag') ?? ''
    // CloudKV counts reads into its bucket record: those counts differ by the reads made here.
    const text = (await response.text()).replace(/"key_get_(success|failed)":\d+/g, '')
    out.push(`${path} -> ${response.status} ${etag} ${text}`)
  }
  return out
}

describe.skipIf(!redis)('round trip: embedded -> JSONL -> Redis -> JSONL -> embedded', () => {
  test('the dumps are identical and every dialect answers the same reads', async () => {
    const first = embedded('first')
    const { reads } = await seed(first)
    clock.advance(2_000) // "gone" has expired: it is never exported
    const before = await answers(first, reads)
    expect(before.join('\n')).toContain('value 0')

    const one = await dump(first)
    expect(one.stats).toMatchObject({ complete: true, consistency: 'snapshot', accounts: 4, namespaces: 5 })
    expect(one.lines.some((line) => line.includes('expired before export'))).toBe(false)
    expect(one.lines.some((line) => line.includes('"key_b64":"AP8B"'))).toBe(true)
    expect(one.lines.at(-1)).toContain('"type":"done"')

    const second = open({ REDIS_URL: redis!, KVGATE_REDIS_PREFIX: testPrefix() })
    const imported = await load(second, one.lines)
    expect(imported).toMatchObject({ complete: true, accounts: 4, namespaces: 5, kept: 0 })
    const two = await dump(second)
    expect(two.stats.consistency).toBe('fence')
    expect(body(two.lines)).toEqual(body(one.lines))
    expect(await answers(second, reads)).toEqual(before)

    const third = embedded('third')
    await load(third, two.lines)
    expect(body((await dump(third)).lines)).toEqual(body(one.lines))
    // Importing the same dump again changes nothing: every account and namespace is marked done.
    const again = await load(third, two.lines)
    expect(again).toMatchObject({ namespaces: 0, accounts: 0, entries: 0, resumed: 9 })
    expect(body((await dump(third)).lines)).toEqual(body(one.lines))
    expect(await answers(third, reads)).toEqual(before)
  })
})

describe('import on the embedded store', () => {
  test('a dump of a newer format version is refused before anything is written', async () => {
    const kvgate = embedded('newer')
    const header = JSON.stringify({ format: 'kvgate-dump', version: 2, id: 'x', created: 1 })
    await expect(load(kvgate, [header, '{"type":"namespace"}'])).rejects.toThrow(
      /this dump is format version 2; kvgate \S+ reads format version 1 and older/,
    )
  })

  test('a stopped export says so and has no done line', async () => {
    const kvgate = embedded('stopped')
    const { id } = await kvgate.engine.namespaces.create({ dialect: 'kvdb' })
    const ops = Array.from({ length: 1500 }, (_, i) => ({
      type: 'put' as const,
      key: utf8(`k${i}`),
      value: { bytes: utf8('v') },
    }))
    await kvgate.engine.batch(id, ops)
    const stats = emptyExportStats()
    let chunks = 0
    let text = ''
    for await (const chunk of exportDump(kvgate.engine, { stop: () => chunks > 2 }, stats)) {
      chunks++
      text += chunk
    }
    expect(stats.complete).toBe(false)
    expect(text).not.toContain('"type":"done"')
  })

  test('a page the store does not answer in time is written again', async () => {
    const source = embedded('source-retry')
    await seed(source)
    const { lines } = await dump(source)
    const store = new SqliteBackend({ path: join(folder, 'retry.db') })
    let rejected = 0
    const flaky = new Proxy(store, {
      get(target, method, receiver) {
        const value = Reflect.get(target, method, receiver)
        if (method !== 'restore') return typeof value === 'function' ? value.bind(target) : value
        return (...args: Parameters<SqliteBackend['restore']>) =>
          rejected < 2
            ? Promise.reject(new UnavailableError('timeout', `too slow ${++rejected}`))
            : target.restore(...args)
      },
    })
    const engine = new Engine(flaky, { sweepIntervalMs: 0, clock })
    try {
      async function* each() {
        yield* lines
      }
      const stats = await importDump(engine, each(), { onConflict: 'skip' }, emptyImportStats())
      expect(rejected).toBe(2)
      expect(stats).toMatchObject({ complete: true, namespaces: 5 })
      expect(stats.entries).toBe(JSON.parse(lines.at(-1)!).entries)
    } finally {
      await engine.close()
    }
  })

  test('a namespace cut short is never published; the rerun completes it', async () => {
    const source = embedded('source-cut')
    await seed(source)
    const { lines } = await dump(source)
    const kvdbStart = lines.findIndex(
      (line) => line.includes('"dialect":"kvdb"') && line.includes('"namespace"'),
    )
    const cut = lines.slice(0, kvdbStart + 50)
    const target = embedded('target-cut')
    const partial = await load(target, cut)
    expect(partial.complete).toBe(false)
    const kvdbId = JSON.parse(lines[kvdbStart]!).id as string
    expect(await target.engine.namespaces.get(kvdbId)).toBeNull()
    const response = await target.fetch(`/kvdb/${kvdbId}/k000`)
    expect(response.status).toBe(404)
    const rest = await load(target, lines)
    expect(rest.complete).toBe(true)
    expect(rest.resumed).toBeGreaterThan(0)
    expect(body((await dump(target)).lines)).toEqual(body(lines))
  })

  test('--on-conflict: skip keeps what exists, overwrite replaces it, fail stops before writing', async () => {
    const source = embedded('source-conflict')
    const bucket = await (
      await source.fetch('/kvdb/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=a@b.c',
      })
    ).text()
    await source.fetch(`/kvdb/${bucket}/k`, { method: 'PUT', body: 'from the dump' })
    const { lines } = await dump(source)
    const fresh = (lines: string[]) => {
      const header = JSON.parse(lines[0]!)
      return [
        JSON.stringify({ ...header, id: `${header.id}x${Math.random().toString(36).slice(2)}` }),
        ...lines.slice(1),
      ]
    }
    const target = embedded('target-conflict')
    await load(target, lines)
    await target.fetch(`/kvdb/${bucket}/k`, { method: 'PUT', body: 'changed here' })
    await target.fetch(`/kvdb/${bucket}/mine`, { method: 'PUT', body: 'only here' })
    const read = async (key: string) => (await target.fetch(`/kvdb/${bucket}/${key}`)).text()

    expect(await load(target, fresh(lines), 'skip')).toMatchObject({ kept: 1, entries: 0 })
    expect(await read('k')).toBe('changed here')
    await expect(load(target, fresh(lines), 'fail')).rejects.toThrow(`namespace ${bucket} already exists`)
    expect(await read('k')).toBe('changed here')
    expect(await load(target, fresh(lines), 'overwrite')).toMatchObject({ entries: 1 })
    expect(await read('k')).toBe('from the dump')
    expect(await read('mine')).toBe('only here')
  })
})
