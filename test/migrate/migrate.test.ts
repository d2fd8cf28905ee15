// `kvgate migrate --from DIALECT`, for each of the five dialects, into the embedded store and into
// Redis: a second kvgate plays the hosted service (keys with binary values, metadata and TTLs where
// the dialect has them), behind a proxy that answers a burst of 429s with Retry-After. Afterwards the
// destination holds the same entries (value bytes, kind, content type, metadata, expiry) and lists,
// and answers the same read through the dialect, with the credentials the command printed.
// KVGATE_MIGRATE_KEYS=10000 runs the full size (500 by default).

import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMigrate } from '../../core/cli/migrate.ts'
import type { Engine } from '../../core/engine/engine.ts'
import { dialects } from '../../plugins/index.ts'
import { listenTestKvgate, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { redisUrl, requireRedis, testPrefix } from '../support/redis.ts'
import { KEYS, seeders, type ThrottlingProxy, throttlingProxy } from './sources.ts'

const folder = mkdtempSync(join(tmpdir(), 'kvgate-migrate-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const CONCURRENCY = 8

interface Output {
  text: string
  isTTY: false
  write(chunk: string): boolean
}
const output = (): Output => ({
  text: '',
  isTTY: false,
  write(chunk) {
    this.text += chunk
    return true
  },
})

async function migrateCli(
  args: string[],
  env: Record<string, string>,
  signal = new AbortController().signal,
) {
  const stdout = output()
  const stderr = output()
  const code = await runMigrate(args, { KVGATE_LOG: 'silent', ...env }, dialects, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    signal,
  })
  const lines = stdout.text.trim().split('\n')
  const summary = JSON.parse(lines.at(-1)!) as Record<string, number | string | boolean | null>
  const created = stdout.text.includes('"created_account"')
    ? (
        JSON.parse(stdout.text.slice(0, stdout.text.lastIndexOf('}\n{') + 1)) as {
          created_account: { account_id: string; credentials: Record<string, string> }
        }
      ).created_account
    : null
  return { code, summary, created, stdout: stdout.text, stderr: stderr.text }
}

/** Every entry of a namespace, as comparable text; lists too. */
async function dump(engine: Engine, ns: string) {
  const entries: Record<string, unknown>[] = []
  let cursor: Uint8Array | undefined
  do {
    const page = await engine.scan(ns, { limit: 1000, cursor, withValues: true })
    for (const entry of page.entries) {
      entries.push({
        key: Buffer.from(entry.key).toString('hex'),
        value: Buffer.from(entry.value!).toString('hex'),
        kind: entry.kind,
        contentType: entry.contentType,
        metadata: entry.metadata,
        // Expiry travels in whole seconds through some APIs (Workers KV, CloudKV's Expires).
        expiresAt: entry.expiresAt === null ? null : Math.floor(entry.expiresAt / 1000),
      })
    }
    cursor = page.cursor ?? undefined
  } while (cursor)
  const lists: Record<string, string[]> = {}
  for (const key of await engine.listKeys(ns, { limit: 100_000 }))
    lists[Buffer.from(key).toString()] = await engine.listRead(ns, key)
  return { entries, lists }
}

function expectSameData(source: Awaited<ReturnType<typeof dump>>, copy: Awaited<ReturnType<typeof dump>>) {
  expect(copy.entries.length).toBe(source.entries.length)
  copy.entries.forEach((entry, index) => {
    const original = source.entries[index]!
    const { expiresAt, ...rest } = entry
    const { expiresAt: originalExpiry, ...originalRest } = original
    expect(rest).toEqual(originalRest)
    if (originalExpiry === null) expect(expiresAt).toBeNull()
    else expect(Math.abs((expiresAt as number) - (originalExpiry as number))).toBeLessThanOrEqual(1)
  })
  expect(copy.lists).toEqual(source.lists)
}

/**
 * A source kvgate on a real port behind a throttling proxy (burst from request `burstAt` on), and
 * the destinations the test opens on the migrated store: all closed once `body` ends.
 */
async function withSource(
  sourceEnv: Record<string, string>,
  burstAt: number,
  body: (rig: {
    source: TestKvgate
    proxy: ThrottlingProxy
    destination: (env: Record<string, string>) => TestKvgate
  }) => Promise<void>,
): Promise<void> {
  const source = testKvgate(dialects, sourceEnv)
  const listener = listenTestKvgate(source)
  const proxy = throttlingProxy(listener.url, burstAt)
  const destinations: TestKvgate[] = []
  const destination = (env: Record<string, string>) => {
    const opened = testKvgate(dialects, env)
    destinations.push(opened)
    return opened
  }
  try {
    await body({ source, proxy, destination })
  } finally {
    proxy.stop()
    await listener.stop()
    await source.close()
    for (const opened of destinations) await opened.close()
  }
}

const stores: { name: string; env: () => Record<string, string> }[] = [
  { name: 'sqlite', env: () => ({ KVGATE_DATA: join(folder, `${crypto.randomUUID()}.db`) }) },
]
if (await requireRedis('redis', redisUrl()))
  stores.push({ name: 'redis', env: () => ({ REDIS_URL: redisUrl(), KVGATE_REDIS_PREFIX: testPrefix() }) })

const figures: string[] = []
afterAll(() => {
  if (figures.length > 0)
    console.log(`migrate rates (${KEYS} keys, one run, noisy):\n  ${figures.join('\n  ')}`)
})

for (const store of stores) {
  describe(`kvgate migrate into ${store.name}`, () => {
    for (const [dialect, seed] of Object.entries(seeders)) {
      test(`--from ${dialect}: every key, value, metadata and TTL arrives, through a burst of 429s`, async () => {
        const env = store.env()
        await withSource(
          { KVGATE_KVDB_RATE_LIMIT: '0' },
          Math.min(100, KEYS / 2),
          async ({ source, proxy, destination: open }) => {
            const seeded = await seed(source)
            const prefix = dialect === 'workers-kv' ? '/client/v4' : `/${dialect}`
            const account = dialect === 'kvdb' ? [] : ['--create-account']
            const run = await migrateCli(
              [
                '--from',
                dialect,
                '--base-url',
                `${proxy.url}${prefix}`,
                ...seeded.args,
                ...account,
                '--concurrency',
                String(CONCURRENCY),
                '--checkpoint',
                join(folder, `${dialect}-${store.name}.json`),
              ],
              env,
            )
            expect(run.stderr).toBe('')
            expect(run.code).toBe(0)
            figures.push(
              `${dialect} -> ${store.name}: ${run.summary.keys_per_second} keys/s (${run.summary.copied} keys, ${run.summary.seconds} s, ${run.summary.throttled} throttled)`,
            )
            // The burst was met, and waited out: a client that ignored Retry-After would meet many more.
            expect(proxy.stats.throttled).toBeGreaterThan(0)
            expect(run.summary.throttled).toBe(proxy.stats.throttled)
            expect(proxy.stats.throttled).toBeLessThanOrEqual(2 * CONCURRENCY)
            expect(existsSync(join(folder, `${dialect}-${store.name}.json`))).toBe(false)
            if (dialect !== 'kvdb') expect(run.created?.account_id).toBe(run.summary.account_id as string)

            const destination = open(env)
            const copied = await dump(destination.engine, run.summary.namespace as string)
            const original = await dump(source.engine, seeded.namespace)
            expect(original.entries.length).toBeGreaterThanOrEqual(KEYS)
            expectSameData(original, copied)
            expect(run.summary.copied).toBe(original.entries.length + Object.keys(original.lists).length)

            // The same read through the dialect, with the credentials the command printed.
            const before = await seeded.read(source, null, null)
            const after = await seeded.read(
              destination,
              run.created?.credentials ?? null,
              run.created?.account_id ?? null,
            )
            expect(after).toBe(before)
            expect(after).not.toContain('status')
          },
        )
      }, 120_000)
    }
  })
}

describe('kvgate migrate: interruption and resume', () => {
  test('Ctrl-C stops after the keys under way and says how to resume; the same command finishes the job', async () => {
    const env = { KVGATE_DATA: join(folder, 'resume.db') }
    const checkpoint = join(folder, 'resume-checkpoint.json')
    await withSource({}, Number.MAX_SAFE_INTEGER, async ({ source, proxy, destination: open }) => {
      const total = 2500
      const account = await source.createAccount('rocketstack')
      const auth = { authorization: `Bearer ${account.credentials.api_key}` }
      for (let i = 0; i < total; i++)
        await source.fetch(`/rocketstack/kv/items/r${String(i).padStart(5, '0')}`, {
          method: 'PUT',
          headers: auth,
          body: `{"value": ${i}}`,
        })
      const args = [
        '--from',
        'rocketstack',
        '--base-url',
        `${proxy.url}/rocketstack`,
        '--api-key',
        account.credentials.api_key!,
        '--create-account',
        '--account-name',
        'moved',
        '--checkpoint',
        checkpoint,
      ]

      const controller = new AbortController()
      // Stopped in the middle of the second page (1,000 keys a page; the listing is a request too).
      proxy.after(1600, () => controller.abort(new Error('interrupted')))
      const first = await migrateCli(args, env, controller.signal)
      expect(first.code).toBe(130)
      expect(first.stderr).toContain(`run the same command again to resume from ${checkpoint}`)
      expect(first.summary.interrupted).toBe(true)
      expect(first.created).not.toBeNull()
      const saved = JSON.parse(readFileSync(checkpoint, 'utf8'))
      expect(saved.copied).toBe(1000)
      expect(saved.accountId).toBe(first.created!.account_id)

      const forwardedBefore = proxy.stats.forwarded
      const second = await migrateCli(args, env)
      expect(second.stderr).toBe('')
      expect(second.code).toBe(0)
      expect(second.summary).toMatchObject({ resumed: true, interrupted: false, copied: total })
      // No second account, and the first page was not read again.
      expect(second.created).toBeNull()
      expect(second.summary.account_id).toBe(first.created!.account_id)
      expect(proxy.stats.forwarded - forwardedBefore).toBeLessThan(total - 1000 + 10)
      expect(existsSync(checkpoint)).toBe(false)

      const destination = open(env)
      expect((await dump(destination.engine, first.created!.account_id)).entries.length).toBe(total)
      expect((await destination.accounts.get(first.created!.account_id))?.name).toBe('moved')
    })
  }, 120_000)
})

describe('kvgate migrate: CloudKV resumed in the middle of its prefix walk', () => {
  test('the second run walks on from the last key of the checkpoint, and the copy is whole', async () => {
    const env = { KVGATE_DATA: join(folder, 'cloudkv-resume.db') }
    const checkpoint = join(folder, 'cloudkv-resume.json')
    await withSource({}, Number.MAX_SAFE_INTEGER, async ({ source, proxy, destination: open }) => {
      const seeded = await seeders.cloudkv!(source)
      const args = [
        '--from',
        'cloudkv',
        '--base-url',
        `${proxy.url}/cloudkv`,
        ...seeded.args,
        '--create-account',
        '--checkpoint',
        checkpoint,
      ]
      const controller = new AbortController()
      proxy.after(1500, () => controller.abort(new Error('interrupted')))
      const first = await migrateCli(args, env, controller.signal)
      expect(first.code).toBe(130)
      const saved = JSON.parse(readFileSync(checkpoint, 'utf8'))
      expect(saved.copied).toBeGreaterThan(0)
      expect(saved.cursor).toMatch(/^[0-9a-f]+$/)

      const readsBefore = proxy.stats.plain
      const second = await migrateCli(args, env)
      expect(second.code).toBe(0)
      expect(second.summary).toMatchObject({ resumed: true, interrupted: false })
      // The keys after the checkpoint's were read, and GET /buckets once (the walk's prefix finds,
      // which have a query string, are asked again). A few reads of the first run that the proxy was
      // still passing on when it stopped may be counted here too: at most one per worker.
      const reads = proxy.stats.plain - readsBefore
      const expected = Math.max(KEYS, 2500) - saved.copied + 1
      expect(reads).toBeGreaterThanOrEqual(expected)
      expect(reads).toBeLessThanOrEqual(expected + 8)

      const destination = open(env)
      expectSameData(
        await dump(source.engine, seeded.namespace),
        await dump(destination.engine, seeded.namespace),
      )
    })
  }, 120_000)
})

describe('kvgate migrate: accounts and checkpoints', () => {
  test('--account puts the data under an existing account of the dialect; other accounts and checkpoints are refused', async () => {
    const source = testKvgate(dialects, {})
    const listener = listenTestKvgate(source)
    const env = { KVGATE_DATA: join(folder, 'existing.db') }
    const checkpoint = join(folder, 'existing-checkpoint.json')
    const target = testKvgate(dialects, env)
    const [owner, stranger] = [
      await target.createAccount('rocketstack'),
      await target.createAccount('lightkv'),
    ]
    await target.close()
    let destination: TestKvgate | null = null
    try {
      const account = await source.createAccount('rocketstack')
      const auth = { authorization: `Bearer ${account.credentials.api_key}` }
      await source.fetch('/rocketstack/kv/items/one', { method: 'PUT', headers: auth, body: '{"value": 1}' })
      const args = (...more: string[]) => [
        '--from',
        'rocketstack',
        '--base-url',
        `${listener.url}/rocketstack`,
        '--api-key',
        account.credentials.api_key!,
        '--checkpoint',
        checkpoint,
        ...more,
      ]
      await expect(migrateCli(args('--account', stranger.account_id), env)).rejects.toThrow(
        `kvgate has no rocketstack account ${stranger.account_id}`,
      )
      await expect(migrateCli(args(), env)).rejects.toThrow(
        'give --account ID (a kvgate rocketstack account) or --create-account',
      )

      // A service that refuses the credential: the run stops, saying what it answered and how to go on.
      const refused = migrateCli(
        [
          '--from',
          'rocketstack',
          '--base-url',
          `${listener.url}/rocketstack`,
          '--api-key',
          'kvg_wrong',
          '--checkpoint',
          checkpoint,
          '--account',
          owner.account_id,
        ],
        env,
      )
      await expect(refused).rejects.toThrow(/answered 401: .*run the same command again to resume/)
      rmSync(checkpoint)

      const run = await migrateCli(args('--account', owner.account_id), env)
      expect(run.code).toBe(0)
      expect(run.created).toBeNull()
      expect(run.summary).toMatchObject({
        account_id: owner.account_id,
        namespace: owner.account_id,
        copied: 1,
      })

      // A checkpoint left by another migration (here: another account's) is not taken for this one's.
      const other = await source.createAccount('rocketstack')
      await Bun.write(
        checkpoint,
        JSON.stringify({
          format: 1,
          from: 'rocketstack',
          container: 'account-000000000000',
          namespace: 'x',
          accountId: null,
          cursor: null,
          copied: 0,
        }),
      )
      await expect(
        migrateCli(
          [
            '--from',
            'rocketstack',
            '--base-url',
            `${listener.url}/rocketstack`,
            '--api-key',
            other.credentials.api_key!,
            '--checkpoint',
            checkpoint,
            '--create-account',
          ],
          env,
        ),
      ).rejects.toThrow('belongs to another migration')

      destination = testKvgate(dialects, env)
      const entry = await destination.engine.get(owner.account_id, new TextEncoder().encode('one'))
      expect(entry && new TextDecoder().decode(entry.value)).toBe('1')
    } finally {
      await listener.stop()
      await source.close()
      await destination?.close()
    }
  }, 60_000)
})
