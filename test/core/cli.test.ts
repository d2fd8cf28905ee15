import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../core/cli/admin.ts'
import { echoDialect } from '../support/echo-dialect.ts'
import { BUN, childEnv, freePort, ROOT, waitForHealthy, waitForLine } from '../support/process.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-cli-'))
const env = { KVGATE_LOG: 'silent', KVGATE_DATA: join(dir, 'kv.db') }

function run(args: string[], extraEnv: Record<string, string> = {}) {
  const result = Bun.spawnSync([BUN, join(ROOT, 'core/main.ts'), ...args], {
    env: childEnv({ ...env, ...extraEnv }),
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

  test("an address that is not one, or not this machine's, to listen on", () => {
    const broken = run(['--port', String(freePort())], { KVGATE_HOST: '999.1.1.1' })
    expect(broken.stderr).toBe(
      'kvgate: KVGATE_HOST: must be an IP address of this machine or a host name (got "999.1.1.1")\n',
    )
    expect(broken.code).toBe(1)
    const elsewhere = run(['--port', String(freePort()), '--host', '192.0.2.1'])
    expect(elsewhere.stderr).toStartWith('kvgate: cannot listen on 192.0.2.1 port ')
    expect(elsewhere.stderr).toEndWith(': the host must be an address of this machine\n')
    expect(elsewhere.code).toBe(1)
  })

  test('an unknown KVGATE_* variable, and a secret that is never repeated', () => {
    expect(run([], { KVGATE_ROUTE: 'kvdb=/k' }).stderr).toBe(
      'kvgate: unknown variable KVGATE_ROUTE (did you mean KVGATE_ROUTES?)\n',
    )
    const token = run([], { KVGATE_ADMIN_TOKEN: 'hunter2' })
    expect(token.stderr).toBe('kvgate: KVGATE_ADMIN_TOKEN: must be at least 16 characters\n')
  })

  test('an unknown flag or command', () => {
    expect(run(['--prot', '1']).stderr).toBe('kvgate: unknown flag --prot (did you mean --port?)\n')
    expect(run(['frobnicate']).stderr).toStartWith('kvgate: unknown command "frobnicate"')
    expect(run(['admin', 'accounts', 'create']).stderr).toStartWith('kvgate: create needs --dialect')
  })
})

describe('start-up', () => {
  test('an unreachable store is one warning line; the server starts and answers 503 until it is reachable', async () => {
    const port = freePort()
    const child = Bun.spawn(
      [BUN, join(ROOT, 'core/main.ts'), '--port', String(port), '--host', '127.0.0.1'],
      {
        env: childEnv({
          KVGATE_LOG: 'info',
          KVGATE_LOG_FORMAT: 'json',
          REDIS_URL: 'redis://:hunter2@127.0.0.1:1',
          KVGATE_STORE_TIMEOUT_MS: '300',
        }),
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    try {
      const warning = await waitForLine(child, (line) =>
        line.includes('"warn"') ? JSON.parse(line) : undefined,
      )
      expect(warning).toMatchObject({
        level: 'warn',
        msg: 'store unreachable at start; requests answer 503 until it is reachable',
        store: 'redis redis://:***@127.0.0.1:1',
      })
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      expect(health.status).toBe(503)
    } finally {
      child.kill('SIGTERM')
      await child.exited
    }
    // waitForLine has read the stream up to the warning; the rest follows.
    let rest = ''
    const reader = child.stdout.getReader()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value)
    expect(rest).toContain('"msg":"stopped"')
    expect(rest).not.toContain('"warn"')
    expect(rest).not.toContain('hunter2')
    expect(await new Response(child.stderr).text()).toBe('')
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
        env: childEnv({ ...env, KVGATE_ADMIN_TOKEN: 'admin-token-for-shutdown', KVGATE_LOG: 'info' }),
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
