// Bucket scripts over HTTP: the documented examples (page-view counter, redirect, status, header,
// exit), script management, token narrowing, concurrency, and sandbox escapes with their statuses.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { answer, KVDB_MOUNTS, type KvdbHarness, kvdbHarness } from './harness.ts'

const SECRET = 'script-secret'
const AUTH = { user: `${SECRET}:` }
const PLAIN = 'text/plain; charset=utf-8'

describeEachStoreAndMount('kvdb scripting', KVDB_MOUNTS, (store, mount) => {
  let h: KvdbHarness
  let bucket: string
  beforeAll(async () => {
    h = kvdbHarness(store, mount)
    bucket = await h.createBucket({ secret_key: SECRET, signing_key: 'script-signing' })
  })
  afterAll(() => h.kv.close())

  const upload = (name: string, source: string, id = bucket) =>
    h.curl(`/${id}/scripts/${name}`, { method: 'PUT', body: source, ...AUTH })
  const runScript = (name: string, query = '', options: Parameters<KvdbHarness['curl']>[1] = {}) =>
    h.curl(`/${bucket}/scripts/${name}${query}`, options)

  async function token(prefix: string, permissions: string): Promise<string> {
    const response = await h.curl(`/${bucket}/tokens/`, {
      data: [`prefix=${prefix}`, `permissions=${permissions}`],
      ...AUTH,
    })
    return ((await response.json()) as { access_token: string }).access_token
  }

  describe('documented examples', () => {
    test('a page-view counter with kvdb.get and kvdb.set', async () => {
      const source = `
        local views = (kvdb.get("views") or 0) + 1
        kvdb.set("views", views)
        kvdb.say("Page views: ", views)`
      expect(await answer(await upload('counter', source))).toEqual([200, ''])
      const first = await runScript('counter')
      expect(first.headers.get('content-type')).toBe(PLAIN)
      expect(await answer(first)).toEqual([200, 'Page views: 1\n'])
      expect(await answer(await runScript('counter'))).toEqual([200, 'Page views: 2\n'])
      // The script wrote a plain KVdb int, as a client sees it.
      expect(await answer(await h.curl(`/${bucket}/views`))).toEqual([200, '2'])
    })

    test('kvdb.redirect: 302 by default, or the code given', async () => {
      await upload('go', 'kvdb.redirect(kvdb.var.to or "https://example.com/", tonumber(kvdb.var.code))')
      const moved = await runScript('go')
      expect(moved.status).toBe(302)
      expect(moved.headers.get('location')).toBe('https://example.com/')
      const permanent = await runScript('go', '?to=/elsewhere&code=301')
      expect([permanent.status, permanent.headers.get('location')]).toEqual([301, '/elsewhere'])
    })

    test('kvdb.status sets the response status', async () => {
      await upload('missing', 'kvdb.status = 404 kvdb.say("nothing here")')
      expect(await answer(await runScript('missing'))).toEqual([404, 'nothing here\n'])
    })

    test('kvdb.header["content-type"] sets the response type', async () => {
      await upload('json', 'kvdb.header["content-type"] = "application/json" kvdb.print(\'{"ok":true}\')')
      const response = await runScript('json')
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toEqual({ ok: true })
    })

    test('kvdb.exit stops with its code, unless output was written', async () => {
      await upload('deny', 'if kvdb.var.who ~= "me" then kvdb.exit(403) end kvdb.print("welcome")')
      expect(await answer(await runScript('deny'))).toEqual([403, ''])
      expect(await answer(await runScript('deny', '?who=me'))).toEqual([200, 'welcome'])
      await upload('late-exit', 'kvdb.print("partial") kvdb.exit(500) kvdb.print("never")')
      expect(await answer(await runScript('late-exit'))).toEqual([200, 'partial'])
    })

    test('kvdb.var: query, then form fields (body wins), remote_addr and the raw body', async () => {
      await upload('echo', 'local v = kvdb.var kvdb.print(v.a, " ", v.b, " ", v.remote_addr, " ", v.body)')
      expect(await answer(await runScript('echo', '?a=1&b=2', { peer: '198.51.100.4' }))).toEqual([
        200,
        '1 2 198.51.100.4 ',
      ])
      const posted = await runScript('echo', '?a=1&b=2', { data: ['b=form'], peer: '198.51.100.5' })
      expect(await answer(posted)).toEqual([200, '1 form 198.51.100.5 b=form'])
    })

    test('kvdb.incr, kvdb.delete and kvdb.list', async () => {
      await upload(
        'misc',
        `kvdb.set("list:a", "x") kvdb.set("list:b", 2.5) kvdb.incr("list:c", 3)
         kvdb.delete("list:a")
         for _, kv in ipairs(kvdb.list{prefix = "list:", values = true}) do kvdb.say(kv[1], "=", kv[2]) end
         kvdb.print(#kvdb.list{prefix = "list:", limit = 1})`,
      )
      expect(await answer(await runScript('misc'))).toEqual([200, 'list:b=2.5\nlist:c=3\n1'])
      expect(await answer(await h.curl(`/${bucket}/list:c`))).toEqual([200, '3'])
    })
  })

  describe('managing scripts', () => {
    test('upload, list (text and json), replace, delete', async () => {
      const id = await h.createBucket({ secret_key: SECRET })
      expect(await answer(await upload('b-script', 'return "b"', id))).toEqual([200, ''])
      expect(await answer(await upload('a.script', 'return "a1"', id))).toEqual([200, ''])
      expect(await answer(await h.curl(`/${id}/scripts/`, AUTH))).toEqual([200, 'a.script\nb-script\n'])
      expect(await answer(await h.curl(`/${id}/scripts?format=json`, AUTH))).toEqual([
        200,
        '["a.script","b-script"]',
      ])
      expect(await answer(await h.curl(`/${id}/scripts/a.script`))).toEqual([200, 'a1'])
      // Replacing takes effect on the next run.
      await upload('a.script', 'return "a2"', id)
      expect(await answer(await h.curl(`/${id}/scripts/a.script`))).toEqual([200, 'a2'])
      expect(await answer(await h.curl(`/${id}/scripts/a.script`, { method: 'DELETE', ...AUTH }))).toEqual([
        200,
        '',
      ])
      expect(await answer(await h.curl(`/${id}/scripts/a.script`))).toEqual([404, 'script not found'])
      expect((await h.curl(`/${id}/scripts/a.script`, { method: 'DELETE', ...AUTH })).status).toBe(404)
      expect(await answer(await h.curl(`/${id}/scripts/`, AUTH))).toEqual([200, 'b-script\n'])
    })

    test('a syntax error is 400 with the Lua message, and nothing is stored', async () => {
      expect(await answer(await upload('broken', 'local x = \nif'))).toEqual([
        400,
        "broken:2: unexpected symbol near 'if'",
      ])
      expect((await runScript('broken')).status).toBe(404)
    })

    test('bad names are 400 on upload and 404 to run; a source over 64 KiB is 413', async () => {
      expect((await upload('bad name', 'return 1')).status).toBe(400)
      expect((await upload('x'.repeat(65), 'return 1')).status).toBe(400)
      expect((await runScript('bad%20name')).status).toBe(404)
      expect((await upload('big', `-- ${'x'.repeat(64 * 1024)}`)).status).toBe(413)
      expect(await answer(await upload('fits', `return 1 -- ${'x'.repeat(60 * 1024)}`))).toEqual([200, ''])
    })

    test('deleting the bucket deletes its scripts', async () => {
      const id = await h.createBucket({ secret_key: SECRET })
      await upload('gone', 'return 1', id)
      expect((await h.curl(`/${id}`, { method: 'DELETE', ...AUTH })).status).toBe(200)
      expect(await answer(await h.curl(`/${id}/scripts/gone`))).toEqual([404, 'bucket not found'])
    })
  })

  describe('access tokens narrow what a script touches', () => {
    test('a token for user:1: makes kvdb.get("user:2:x") a Lua error, not a leak', async () => {
      await h.curl(`/${bucket}/user:2:x`, { method: 'PUT', body: 'private', ...AUTH })
      await h.curl(`/${bucket}/user:1:x`, { method: 'PUT', body: 'mine', ...AUTH })
      await upload('peek', 'kvdb.print(kvdb.get(kvdb.var.k))')
      await upload(
        'peek-safe',
        'local ok, err = pcall(kvdb.get, kvdb.var.k) kvdb.print(ok and "value " .. tostring(err) or "denied: " .. err)',
      )
      const user1 = await token('user:1:', 'read,write')
      const bearer = { headers: { authorization: `Bearer ${user1}` } }
      expect(await answer(await runScript('peek', '?k=user:1:x', bearer))).toEqual([200, 'mine'])
      const refused = await runScript('peek', '?k=user:2:x', bearer)
      expect(refused.status).toBe(500)
      const message = await refused.text()
      expect(message).toBe(`peek:1: kvdb.get: key "user:2:x" is outside the access token's prefix`)
      expect(message).not.toContain('private')
      expect(await answer(await runScript('peek-safe', `?k=user:2:x&access_token=${user1}`))).toEqual([
        200,
        `denied: kvdb.get: key "user:2:x" is outside the access token's prefix`,
      ])
      // Without a token the script reaches the whole bucket.
      expect(await answer(await runScript('peek', '?k=user:2:x'))).toEqual([200, 'private'])
    })

    test("a token's permissions apply: read only, no write; listing needs enumerate", async () => {
      await upload(
        'perm',
        `local function try(f, ...) local ok, err = pcall(f, ...) return ok and "ok" or err end
         kvdb.say(try(kvdb.get, "user:3:a"))
         kvdb.say(try(kvdb.set, "user:3:a", "v"))
         kvdb.say(try(kvdb.incr, "user:3:n", 1))
         kvdb.say(try(kvdb.delete, "user:3:a"))
         kvdb.say(try(kvdb.list))
         kvdb.say(try(kvdb.list, {prefix = "user:4:"}))`,
      )
      const readOnly = await token('user:3:', 'read')
      expect(await answer(await runScript('perm', `?access_token=${readOnly}`))).toEqual([
        200,
        [
          'ok',
          'kvdb.set: the access token lacks the write permission',
          'kvdb.incr: the access token lacks the write permission',
          'kvdb.delete: the access token lacks the write permission',
          'kvdb.list: the access token lacks the enumerate permission',
          'kvdb.list: the access token lacks the enumerate permission',
          '',
        ].join('\n'),
      ])
      const everything = await token('user:3:', 'read,write,enumerate')
      expect(await answer(await runScript('perm', `?access_token=${everything}`))).toEqual([
        200,
        ['ok', 'ok', 'ok', 'ok', 'ok', "kvdb.list: prefix is outside the access token's prefix", ''].join(
          '\n',
        ),
      ])
    })

    test('a bad credential is 401 even though running needs none', async () => {
      expect(await answer(await runScript('counter', '?key=wrong'))).toEqual([
        401,
        'invalid key or access token',
      ])
    })
  })

  test('200 parallel invocations of a counter script end with the exact count', async () => {
    await upload('hits', 'kvdb.print(kvdb.incr("hits", 1))')
    const responses = await Promise.all(Array.from({ length: 200 }, () => runScript('hits')))
    const counts = await Promise.all(responses.map((response) => response.text()))
    expect(responses.every((response) => response.status === 200)).toBe(true)
    expect(new Set(counts).size).toBe(200)
    expect(await answer(await h.curl(`/${bucket}/hits`))).toEqual([200, '200'])
  }, 60_000)

  describe('sandbox escapes answer with the documented statuses, and the server goes on', () => {
    const escapes: Array<[string, string, number, string | RegExp]> = [
      ['os-execute', 'os.execute("id")', 500, "os-execute:1: attempt to index a nil value (global 'os')"],
      ['io-open', 'io.open("/etc/passwd")', 500, "io-open:1: attempt to index a nil value (global 'io')"],
      ['require', 'require("os")', 500, "require:1: attempt to call a nil value (global 'require')"],
      ['bytecode', 'load("\\27Lua")()', 500, "bytecode:1: attempt to call a nil value (global 'load')"],
      ['registry', 'debug.getregistry()', 500, "registry:1: attempt to index a nil value (global 'debug')"],
      ['memory-bomb', 'local s = string.rep("x", 2^30)', 500, 'script exceeded its memory limit of 16 MiB'],
      ['loop', 'while true do end', 503, 'script exceeded its CPU time limit of 50 ms'],
      [
        'coroutine-loop',
        'local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end',
        503,
        'script exceeded its CPU time limit of 50 ms',
      ],
      ['huge-output', 'return string.rep("x", 2^21)', 500, 'script output exceeded 1 MiB'],
      ['error', 'error("boom")', 500, 'error:1: boom'],
    ]
    for (const [name, source, status, message] of escapes) {
      test(`${name}: ${status}`, async () => {
        expect((await upload(name, source)).status).toBe(200)
        const response = await runScript(name)
        expect(response.status).toBe(status)
        expect(response.headers.get('content-type')).toBe(PLAIN)
        expect(await response.text()).toBe(message as string)
        expect((await h.curl(`/${bucket}/scripts/counter`)).status).toBe(200)
      })
    }

    test('deep recursion: 500 or 503, whichever limit the machine reaches first', async () => {
      await upload('recursion', 'local function f() return 1 + f() end f()')
      const response = await runScript('recursion')
      expect([500, 503]).toContain(response.status)
      expect(await response.text()).toMatch(/stack overflow|memory limit|CPU time limit/)
      expect((await h.curl(`/${bucket}/scripts/counter`)).status).toBe(200)
    })
  })
})
