import { afterAll, describe, expect, test } from 'bun:test'
import { ScriptSyntaxError } from '../../core/scripting/errors.ts'
import { ScriptSandbox } from '../../core/scripting/sandbox.ts'
import { memoryHost, outcome, scriptRequest } from './support.ts'

const sandbox = new ScriptSandbox()
afterAll(() => sandbox.close())

const PLAIN = 'text/plain; charset=utf-8'

describe('the kvdb API of a script', () => {
  test('kvdb.print and kvdb.say write the body; returned strings and numbers are printed too', async () => {
    expect(
      await outcome(sandbox, 'kvdb.print("a", 1, " ", 2.5, true, nil) kvdb.say("!") return "end", 7'),
    ).toEqual({
      status: 200,
      headers: { 'content-type': PLAIN },
      body: 'a1 2.5truenil!\nend7',
    })
  })

  test('kvdb.var holds query parameters, form fields (the body wins), remote_addr and the raw body', async () => {
    const request = scriptRequest({
      query: new URLSearchParams('name=query&only=q&only=second'),
      headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new TextEncoder().encode('name=form&x=%E2%9C%93'),
    })
    const result = await outcome(
      sandbox,
      'local v = kvdb.var kvdb.print(v.name, "|", v.only, "|", v.x, "|", v.remote_addr, "|", v.body)',
      { request },
    )
    expect(result.body).toBe('form|q|✓|203.0.113.7|name=form&x=%E2%9C%93')
  })

  test('multipart form fields reach kvdb.var', async () => {
    const form = new FormData()
    form.set('who', 'multipart')
    const encoded = new Request('http://x/', { method: 'POST', body: form })
    const request = scriptRequest({
      headers: new Headers({ 'content-type': encoded.headers.get('content-type') ?? '' }),
      body: new Uint8Array(await encoded.arrayBuffer()),
    })
    expect((await outcome(sandbox, 'kvdb.print(kvdb.var.who)', { request })).body).toBe('multipart')
  })

  test('a page-view counter: kvdb.get, kvdb.set and kvdb.incr go through the host', async () => {
    const host = memoryHost()
    const source =
      'local views = (kvdb.get("views") or 0) + 1 kvdb.set("views", views) kvdb.print("views: ", views)'
    expect((await outcome(sandbox, source, { host, id: 'views' })).body).toBe('views: 1')
    expect((await outcome(sandbox, source, { host, id: 'views' })).body).toBe('views: 2')
    expect(host.store.get('views')).toBe(2n)
    const incr = 'local n = kvdb.incr("hits", 5) kvdb.print(n, " ", math.type(n))'
    expect((await outcome(sandbox, incr, { host })).body).toBe('5 integer')
  })

  test('values keep their kind: integers, floats and bytes (binary-safe both ways)', async () => {
    const host = memoryHost(new Map([['bin', new Uint8Array([0, 255, 10, 0])]]))
    const source = `
      kvdb.set("f", 1.5) kvdb.set("i", 42) kvdb.set("s", "x\\0y")
      local b = kvdb.get("bin")
      kvdb.print(#b, ":", b:byte(2), ":", math.type(kvdb.get("f")), ":", math.type(kvdb.get("i")), ":", #kvdb.get("s"))`
    expect((await outcome(sandbox, source, { host })).body).toBe('4:255:float:integer:3')
    expect(host.store.get('f')).toBe(1.5)
    expect(host.store.get('i')).toBe(42n)
    expect(host.store.get('s')).toEqual(new Uint8Array([120, 0, 121]))
  })

  test('kvdb.list answers keys, or {key, value} pairs, with the query options', async () => {
    const host = memoryHost(
      new Map([
        ['a:1', 1n],
        ['a:2', 2n],
        ['b:1', 3n],
      ]),
    )
    const source = `
      local keys = kvdb.list{prefix = "a:", reverse = true}
      local pairs = kvdb.list{values = true, skip = 1, limit = 1}
      kvdb.print(table.concat(keys, ","), " ", pairs[1][1], "=", pairs[1][2], " ", #kvdb.list())`
    expect((await outcome(sandbox, source, { host })).body).toBe('a:2,a:1 a:2=2 3')
  })

  test('kvdb.delete removes a key', async () => {
    const host = memoryHost(new Map([['gone', 1n]]))
    await outcome(sandbox, 'kvdb.delete("gone")', { host })
    expect(host.store.has('gone')).toBe(false)
  })

  test('a refused key is a Lua error the script can catch with pcall', async () => {
    const source = 'local ok, err = pcall(kvdb.get, "secret:x") kvdb.print(tostring(ok), " ", err)'
    expect((await outcome(sandbox, source)).body).toBe(`false key "secret:x" is outside this token's prefix`)
    expect(await outcome(sandbox, 'kvdb.get("secret:x")')).toEqual({
      error: 'ScriptRuntimeError',
      message: `test:1: key "secret:x" is outside this token's prefix`,
    })
  })

  test('bad arguments to kvdb functions are Lua errors at the calling line', async () => {
    expect((await outcome(sandbox, '\nkvdb.set("k", {})')).message).toBe(
      "test:2: bad argument #2 to 'set' (string or number expected, got table)",
    )
    expect((await outcome(sandbox, 'kvdb.get()')).message).toBe(
      "test:1: bad argument #1 to 'get' (string expected, got nil)",
    )
    expect((await outcome(sandbox, 'kvdb.list{limit = -1}')).message).toContain("bad argument #1 to 'list'")
  })

  test('host calls work inside coroutines and under pcall', async () => {
    const source = `
      local co = coroutine.wrap(function(a) kvdb.set("c", a) coroutine.yield(kvdb.get("c")) return "done" end)
      local ok, v = pcall(function() return kvdb.incr("p", 2) end)
      kvdb.print(co("one"), " ", co(), " ", tostring(ok), v)`
    expect((await outcome(sandbox, source)).body).toBe('one done true2')
  })

  test('kvdb.status and the content-type header apply until output is written', async () => {
    expect(
      await outcome(
        sandbox,
        'kvdb.status = 201 kvdb.header["content-type"] = "application/json" kvdb.print("{}")',
      ),
    ).toEqual({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(
      await outcome(sandbox, 'kvdb.print("x") kvdb.status = 404 kvdb.header["content-type"] = "a/b"'),
    ).toEqual({
      status: 200,
      headers: { 'content-type': PLAIN },
      body: 'x',
    })
    expect(
      (await outcome(sandbox, 'kvdb.header["Content-Type"] = "text/html" kvdb.print("<p>")')).headers,
    ).toEqual({
      'content-type': 'text/html',
    })
  })

  test('kvdb.redirect stops with a Location, 302 by default', async () => {
    expect(await outcome(sandbox, 'kvdb.redirect("https://example.com/a") kvdb.print("never")')).toEqual({
      status: 302,
      headers: { 'content-type': PLAIN, location: 'https://example.com/a' },
      body: '',
    })
    expect((await outcome(sandbox, 'kvdb.redirect("/b", 301)')).status).toBe(301)
    expect((await outcome(sandbox, 'kvdb.redirect("/b", 200)')).message).toContain(
      '301, 302, 303, 307 or 308',
    )
    expect((await outcome(sandbox, 'kvdb.print("x") kvdb.redirect("/b")')).message).toContain('after output')
    expect((await outcome(sandbox, 'kvdb.redirect("/b\\r\\nSet-Cookie: x")')).message).toContain(
      'control characters',
    )
    expect((await outcome(sandbox, 'kvdb.redirect("/caf\u{e9}")')).headers?.location).toBe('/caf%C3%A9')
    const accented = 'kvdb.header["content-type"] = "text/plain; x=\u{e9}" kvdb.print(1)'
    expect((await outcome(sandbox, accented)).message).toContain('printable ASCII')
  })

  test('kvdb.exit stops: its code wins unless output was written, then kvdb.status, then 200', async () => {
    expect(await outcome(sandbox, 'kvdb.exit(403) kvdb.print("never")')).toMatchObject({
      status: 403,
      body: '',
    })
    expect(await outcome(sandbox, 'kvdb.status = 202 kvdb.exit()')).toMatchObject({ status: 202, body: '' })
    expect(await outcome(sandbox, 'kvdb.status = 202 kvdb.print("x") kvdb.exit(500)')).toMatchObject({
      status: 202,
      body: 'x',
    })
    expect(await outcome(sandbox, 'kvdb.exit()')).toMatchObject({ status: 200 })
    expect(await outcome(sandbox, 'pcall(kvdb.exit, 418) kvdb.print("never")')).toMatchObject({
      status: 418,
      body: '',
    })
    expect((await outcome(sandbox, 'kvdb.exit(42)')).message).toContain('from 200 to 599')
  })

  test('an invalid kvdb.status is a runtime error', async () => {
    expect(await outcome(sandbox, 'kvdb.status = "ok" kvdb.print("x")')).toMatchObject({
      error: 'ScriptRuntimeError',
      message: 'kvdb.status must be an HTTP status from 200 to 599, got ok',
    })
  })
})

describe('compiling and caching', () => {
  test('check() reports a syntax error with Lua message and position', async () => {
    const failure = await sandbox.check('broken', 'local x = \nif').catch((error) => error)
    expect(failure).toBeInstanceOf(ScriptSyntaxError)
    expect(failure.message).toBe("broken:2: unexpected symbol near 'if'")
    await sandbox.check('fine', 'return 1')
  })

  test('a compiled script is reused until its version changes', async () => {
    expect((await outcome(sandbox, 'return "v1"', { id: 'cached', version: 1 })).body).toBe('v1')
    // Same id and version: the cached chunk runs, whatever source is passed.
    expect((await outcome(sandbox, 'return "ignored"', { id: 'cached', version: 1 })).body).toBe('v1')
    expect((await outcome(sandbox, 'return "v2"', { id: 'cached', version: 2 })).body).toBe('v2')
  })

  test('globals do not survive from one run to the next', async () => {
    await outcome(sandbox, 'leaked = "yes" string.upper = nil _G.kvdb = nil rawset(_G, "x", 1)', { id: 'g' })
    expect(
      (await outcome(sandbox, 'kvdb.print(tostring(leaked), tostring(x), string.upper("ok"))', { id: 'h' }))
        .body,
    ).toBe('nilnilOK')
  })

  test('the pool runs scripts in parallel on separate states and reuses them', async () => {
    const pool = new ScriptSandbox({ poolSize: 3 })
    const host = memoryHost()
    const slowHost = {
      ...host,
      get: async () => new Promise<bigint>((resolve) => setTimeout(() => resolve(1n), 20)),
    }
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        outcome(pool, `kvdb.print(kvdb.get("k") + ${i})`, { host: slowHost, id: `p${i}` }),
      ),
    )
    expect(results.map((result) => result.body)).toEqual(Array.from({ length: 12 }, (_, i) => String(1 + i)))
    expect(pool.stats()).toMatchObject({ states: 3, idle: 3 })
    pool.close()
  })

  test('states are retired after runsPerState runs and replaced', async () => {
    const pool = new ScriptSandbox({ poolSize: 1, runsPerState: 3 })
    for (let i = 0; i < 10; i++) expect((await outcome(pool, 'return 1', { id: 'r' })).body).toBe('1')
    expect(pool.stats()).toMatchObject({ states: 1 })
    pool.close()
  })
})
