import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../core/cli/admin.ts'
import { echoDialect } from '../support/echo-dialect.ts'
import { BUN, freePort, ROOT, waitForHealthy } from '../support/process.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-cli-'))
const env = { KVGATE_LOG: 'silent', KVGATE_DATA: join(dir, 'kv.db') }

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const result = Bun.spawnSync([BUN, join(ROOT, 'core/main.ts'), ...args], {
    env: { ...process.env, ...env, ...extraEnv },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

describe('bad configuration ends with one clear line and a non-zero exit', () => {
  test('an unknown dialect in KVGATE_ROUTES', () => {
    const { code, stderr } = run([], { KVGATE_ROUTES: 'nosuch=/x' })
    expect(code).not.toBe(0)
    expect(stderr).toStartWith('kvgate: KVGATE_ROUTES: unknown dialect "nosuch"')
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })

  test('an unwritable data path', () => {
    const { code, stderr } = run([], { KVGATE_DATA: '/proc/kvgate/cannot.db' })
    expect(code).not.toBe(0)
    expect(stderr).toStartWith('kvgate: cannot open the data file /proc/kvgate/cannot.db')
    expect(stderr.trim().split('\n')).toHaveLength(1)
  })

  test('a port in use', () => {
    const holder = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    try {
      const { code, stderr } = run(['--port', String(holder.port), '--host', '127.0.0.1'])
      expect(code).not.toBe(0)
      expect(stderr).toBe(`kvgate: port ${holder.port} on 127.0.0.1 is already in use\n`)
    } finally {
      holder.stop(true)
    }
  })

  test('an unknown flag or command', () => {
    expect(run(['--nope']).stderr).toStartWith("kvgate: Unknown option '--nope'")
    expect(run(['frobnicate']).stderr).toStartWith('kvgate: unknown command "frobnicate"')
    expect(run(['admin', 'accounts', 'create']).stderr).toStartWith('kvgate: create needs --dialect')
  })
})

describe('graceful shutdown', () => {
  const children: Array<{ kill(): void }> = []
  afterAll(() => {
    for (const child of children) child.kill()
  })

  test('SIGTERM lets an in-flight request finish, then closes the store and exits 0', async () => {
    const port = freePort()
    const child = Bun.spawn(
      [BUN, join(ROOT, 'core/main.ts'), '--port', String(port), '--host', '127.0.0.1'],
      {
        env: { ...process.env, ...env, KVGATE_ADMIN_TOKEN: 'admin-token-for-shutdown', KVGATE_LOG: 'info' },
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    children.push(child)
    await waitForHealthy(`http://127.0.0.1:${port}/healthz`)

    // A request whose body is still arriving when the signal comes.
    let sendRest!: () => void
    const body = new ReadableStream({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"dialect":'))
        await new Promise<void>((resolve) => {
          sendRest = resolve
        })
        controller.enqueue(new TextEncoder().encode('"nope"}'))
        controller.close()
      },
    })
    const inFlight = fetch(`http://127.0.0.1:${port}/admin/accounts`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-token-for-shutdown' },
      body,
      duplex: 'half',
    } as RequestInit)
    await new Promise((resolve) => setTimeout(resolve, 100))
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 100))
    sendRest()
    const response = await inFlight
    expect(response.status).toBe(400)
    expect(await child.exited).toBe(0)
    const log = await new Response(child.stdout).text()
    expect(log).toContain('"msg":"shutting down"')
    expect(log).toContain('"msg":"stopped"')
  })
})

describe('kvgate admin accounts', () => {
  const admin = (args: string[]) => runAdmin(args, env, [echoDialect])

  test('create, list, rotate and delete print the same JSON as the HTTP API', async () => {
    const created = (await admin(['accounts', 'create', '--dialect', 'echo', '--name', 'shop'])) as {
      account_id: string
      dialect: string
      credentials: Record<string, string>
    }
    expect(created).toEqual({
      account_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      dialect: 'echo',
      credentials: { api_key: expect.stringMatching(/^kvg_/) },
    })
    expect(await admin(['accounts', 'list'])).toContainEqual({
      account_id: created.account_id,
      dialect: 'echo',
      name: 'shop',
      created_at: expect.any(String),
    })
    const rotated = (await admin(['accounts', 'rotate', created.account_id])) as {
      credentials: { api_key: string }
    }
    expect(rotated.credentials.api_key).not.toBe(created.credentials.api_key)
    expect(await admin(['accounts', 'delete', created.account_id])).toBeNull()
    await expect(admin(['accounts', 'delete', created.account_id])).rejects.toThrow('not found')
  })

  test('the command line reports unknown dialects in one line', () => {
    const { code, stderr } = run(['admin', 'accounts', 'create', '--dialect', 'nope'])
    expect(code).toBe(1)
    expect(stderr).toStartWith('kvgate: "dialect" must be one of:')
  })
})
