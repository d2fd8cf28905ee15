// `kvgate data ...` on the configured store (a SQLite file, and Redis where there is one) and on a
// running server with --url: the same JSON either way, aligned tables without --json, the value
// itself from `get`, stdin for `put -`, and one clear line for what is wrong.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../core/cli/admin.ts'
import { type DataIo, runData } from '../../core/cli/data.ts'
import { UsageError } from '../../core/cli/fail.ts'
import { dialects } from '../../plugins/index.ts'
import { ADMIN_TOKEN, listenTestKvgate, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { BUN, childEnv, ROOT } from '../support/process.ts'
import { redisUrl, requireRedis, testPrefix } from '../support/redis.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-data-'))
const io = (stdin: Uint8Array = new Uint8Array(), isTTY = false): DataIo => ({
  isTTY,
  readStdin: async () => stdin,
})
const text = (output: { stdout: string | Uint8Array }) =>
  typeof output.stdout === 'string' ? output.stdout : new TextDecoder().decode(output.stdout)

interface Target {
  name: string
  env: Record<string, string>
  /** Creates a LightKV app (one namespace per account) and returns its namespace id. */
  namespace(): Promise<string>
  close(): Promise<void>
}

/** A new LightKV account made with `kvgate admin` on the store of env: its id is a namespace. */
async function newAccount(env: Record<string, string>): Promise<string> {
  const created = await runAdmin(['accounts', 'create', '--dialect', 'lightkv'], env, dialects)
  return (created as { account_id: string }).account_id
}

const targets: Array<() => Promise<Target>> = [
  async () => {
    const env = { KVGATE_LOG: 'silent', KVGATE_DATA: join(dir, 'local.db') }
    return {
      name: 'local sqlite',
      env,
      namespace: () => newAccount(env),
      close: async () => {},
    }
  },
  async () => {
    const kvgate: TestKvgate = testKvgate(dialects)
    const server = listenTestKvgate(kvgate)
    return {
      name: 'remote (--url)',
      env: { KVGATE_URL: server.url, KVGATE_ADMIN_TOKEN: ADMIN_TOKEN },
      namespace: async () => (await kvgate.createAccount('lightkv')).account_id,
      close: async () => {
        await server.stop()
        await kvgate.close()
      },
    }
  },
]
if (await requireRedis('redis', redisUrl())) {
  targets.push(async () => {
    const env = { KVGATE_LOG: 'silent', REDIS_URL: redisUrl(), KVGATE_REDIS_PREFIX: testPrefix() }
    // A test kvgate on the same prefix removes its keys when it closes.
    const holder = testKvgate(dialects, env)
    return {
      name: 'local redis',
      env,
      namespace: () => newAccount(env),
      close: () => holder.close(),
    }
  })
}

for (const open of targets) {
  const target = await open()
  describe(`kvgate data [${target.name}]`, () => {
    let ns = ''
    const data = (args: string[], stdin?: Uint8Array, isTTY = false) =>
      runData(args, target.env, dialects, io(stdin, isTTY))
    const json = async (args: string[]) => JSON.parse(text(await data([...args, '--json'])))

    beforeAll(async () => {
      ns = await target.namespace()
    })
    afterAll(() => target.close())

    // A LightKV app: its values are JSON text, which is all the data commands write there.
    test('put, get, keys and delete, in JSON as the admin API answers', async () => {
      expect(await json(['put', ns, 'greeting', '"hello"', '--ttl', '600'])).toEqual({
        version: expect.any(Number),
      })
      await data(['put', ns, 'user/1', '{"name":"ann"}'])
      await data(['put', ns, 'user/2', '-'], new TextEncoder().encode('"from stdin"'))
      await data(['put', ns, 'n', '-'], new TextEncoder().encode('42'))

      const entry = await json(['get', ns, 'greeting'])
      expect(entry).toMatchObject({ key: 'greeting', value: '"hello"', encoding: 'json', kind: 'json' })
      expect(Date.parse(entry.expires_at) - Date.now()).toBeGreaterThan(590_000)
      expect(text(await data(['get', ns, 'user/2']))).toBe('"from stdin"')
      expect((await data(['get', ns, 'n'])).stdout).toEqual(new TextEncoder().encode('42'))

      const keys = await json(['keys', ns, '--prefix', 'user/'])
      expect(keys.keys.map((row: { key: string }) => row.key)).toEqual(['user/1', 'user/2'])
      const page = await data(['keys', ns, '--limit', '1'])
      expect(page.stderr).toMatch(/^more: --cursor \S+\n$/)
      const next = await json(['keys', ns, '--limit', '1', '--cursor', page.stderr!.trim().split(' ').pop()!])
      expect(next.keys.map((row: { key: string }) => row.key)).toEqual(['n'])

      await data(['delete', ns, 'user/1'])
      expect((await json(['keys', ns, '--prefix', 'user/'])).keys).toHaveLength(1)
    })

    test('aligned tables without --json; a terminal gets the facts above the value', async () => {
      const listed = text(await data(['namespaces', '--dialect', 'lightkv']))
      const lines = listed.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^ID +DIALECT +OWNER +TITLE +KEYS +CREATED$/)
      const row = lines.find((line) => line.startsWith(ns))!
      expect(row.indexOf('lightkv')).toBe(lines[0]!.indexOf('DIALECT'))
      const keys = text(await data(['keys', ns]))
      expect(keys.split('\n')[0]).toMatch(/^KEY +SIZE +KIND +VERSION +EXPIRES +METADATA$/)
      expect(keys.split('\n')[2]).toMatch(/^n +2 +json /)
      const shown = text(await data(['get', ns, 'greeting'], undefined, true))
      expect(shown).toMatch(/^KIND +VERSION +UPDATED +EXPIRES +METADATA\n/)
      expect(shown.trimEnd().split('\n').pop()).toBe('"hello"')
    })

    test('what is wrong is one clear message', async () => {
      const refused = async (args: string[]) => {
        const error = await data(args).then(
          () => null,
          (thrown: unknown) => thrown,
        )
        expect(error).toBeInstanceOf(UsageError)
        return (error as Error).message.split('\n')[0]
      }
      expect(await refused(['get', 'no-such-namespace', 'k'])).toBe('namespace no-such-namespace not found')
      expect(await refused(['get', ns, 'missing'])).toBe(`key "missing" not found in ${ns}`)
      expect(await refused(['delete', ns, 'missing'])).toBe(`key "missing" not found in ${ns}`)
      expect(await refused(['get', ns])).toBe('get needs a namespace id and a key')
      expect(await refused(['frob'])).toBe('unknown data command "frob"')
      expect(await refused(['put', ns, 'k', 'v', '--ttl', '0'])).toBe(
        '--ttl must be whole seconds, at least 1',
      )
      expect(await refused(['keys', ns, '--limit', '5000'])).toBe('--limit must be from 1 to 1000')
      expect(await refused(['put', ns, 'k', 'not json'])).toBe('lightkv values are JSON text')
    })
  })
}

describe('the kvgate command', () => {
  const env = { KVGATE_LOG: 'silent', KVGATE_DATA: join(dir, 'command.db') }
  const run = (args: string[], stdin?: string) => {
    const result = Bun.spawnSync([BUN, join(ROOT, 'core/main.ts'), ...args], {
      env: childEnv(env),
      stdin: stdin === undefined ? 'ignore' : new TextEncoder().encode(stdin),
      stdout: 'pipe',
      stderr: 'pipe',
    })
    return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
  }

  test('kvgate data put reads stdin; get prints the value; a missing namespace is one line and exit 1', () => {
    const created = run(['admin', 'accounts', 'create', '--dialect', 'lightkv'])
    const ns = JSON.parse(created.stdout).account_id
    expect(run(['data', 'put', ns, 'k', '-'], '"piped value"').code).toBe(0)
    expect(run(['data', 'get', ns, 'k'])).toEqual({ code: 0, stdout: '"piped value"', stderr: '' })
    expect(run(['data', 'get', 'nope', 'k'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'kvgate: namespace nope not found\n',
    })
  })

  test('kvgate --version and kvgate version both print the version', () => {
    const dashed = run(['--version'])
    expect(dashed.code).toBe(0)
    expect(dashed.stdout).toMatch(/^kvgate \d+\.\d+\.\d+ \(bun\/[\d.]+\)\n$/)
    expect(run(['version'])).toEqual(dashed)
  })
})
