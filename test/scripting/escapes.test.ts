// Sandbox escapes: each attempt is contained with a typed error (or simply finds nothing to reach),
// and the same pool keeps serving scripts afterwards.

import { afterAll, expect, test } from 'bun:test'
import { ScriptSandbox } from '../../core/scripting/sandbox.ts'
import { outcome } from './support.ts'

// One state, so every attempt runs on the state the previous one may have damaged.
const sandbox = new ScriptSandbox({ poolSize: 1 })
// For the memory and output limits: a CPU limit no busy test machine reaches first.
const patient = new ScriptSandbox({ poolSize: 1, limits: { cpuTimeMs: 5_000 } })
afterAll(() => {
  sandbox.close()
  patient.close()
})

async function stillServes(): Promise<void> {
  expect((await outcome(sandbox, 'kvdb.print("alive ", 1 + 1)', { id: 'alive' })).body).toBe('alive 2')
}

const unreachable: Array<[string, string, string]> = [
  ['os.execute', 'os.execute("touch /tmp/kvgate-escape")', "attempt to index a nil value (global 'os')"],
  ['io.open', 'io.open("/etc/passwd")', "attempt to index a nil value (global 'io')"],
  ['require', 'require("os")', "attempt to call a nil value (global 'require')"],
  ['load with bytecode', 'load("\\27Lua\\84\\0")', "attempt to call a nil value (global 'load')"],
  ['loadstring', 'loadstring("return 1")', "attempt to call a nil value (global 'loadstring')"],
  ['dofile', 'dofile("/etc/passwd")', "attempt to call a nil value (global 'dofile')"],
  ['loadfile', 'loadfile("/etc/passwd")', "attempt to call a nil value (global 'loadfile')"],
  ['debug.getregistry', 'debug.getregistry()', "attempt to index a nil value (global 'debug')"],
  [
    'package.loadlib',
    'package.loadlib("libc.so.6", "system")',
    "attempt to index a nil value (global 'package')",
  ],
  ['string.dump', 'string.dump(function() end)', "attempt to call a nil value (field 'dump')"],
  ['print', 'print("x")', "attempt to call a nil value (global 'print')"],
  ['the string metatable', 'getmetatable("").__index.rep = nil', 'attempt to index a boolean value'],
  [
    'a __gc finalizer',
    'setmetatable({}, {__gc = function() end})',
    '__gc metamethods are not allowed in scripts',
  ],
  ['collectgarbage("stop")', 'collectgarbage("stop")', "option 'stop' is not allowed in scripts"],
  ['the shared header metatable', 'setmetatable(kvdb.header, {})', 'cannot change a protected metatable'],
]

for (const [name, source, message] of unreachable) {
  test(`${name} is not reachable: 500-class runtime error`, async () => {
    const result = await outcome(sandbox, source)
    expect(result.error).toBe('ScriptRuntimeError')
    expect(result.message).toContain(message)
    await stillServes()
  })
}

test('bytecode is refused even through the script source itself', async () => {
  expect(await sandbox.check('bin', '\x1bLua\x54\x00').catch((error) => error.constructor.name)).toBe(
    'ScriptSyntaxError',
  )
  await stillServes()
})

test('a string.rep memory bomb hits the memory limit, even under pcall', async () => {
  for (const source of [
    'local s = string.rep("x", 2^30)',
    'local ok = pcall(string.rep, "x", 2^30) kvdb.print(ok)',
  ]) {
    expect(await outcome(patient, source)).toEqual({
      error: 'ScriptMemoryError',
      message: 'script exceeded its memory limit of 16 MiB',
    })
  }
  expect(
    await outcome(patient, 'local t = {} for i = 1, 1e8 do t[i] = ("x"):rep(4096) .. i end'),
  ).toMatchObject({ error: 'ScriptMemoryError' })
  await stillServes()
})

test('an infinite loop hits the CPU time limit, even wrapped in pcall, xpcall or coroutines', async () => {
  const loops = [
    'while true do end',
    'while true do pcall(function() while true do end end) end',
    'while true do xpcall(function() while true do end end, function() while true do end end) end',
    'while true do coroutine.resume(coroutine.create(function() while true do end end)) end',
  ]
  for (const source of loops) {
    expect(await outcome(sandbox, source)).toEqual({
      error: 'ScriptTimeoutError',
      message: 'script exceeded its CPU time limit of 50 ms',
    })
  }
  await stillServes()
})

test('a coroutine loop hits the CPU time limit', async () => {
  const source = `
    local co = coroutine.wrap(function() while true do coroutine.yield() end end)
    while true do co() end`
  expect(await outcome(sandbox, source)).toMatchObject({ error: 'ScriptTimeoutError' })
  await stillServes()
})

test('deep recursion is stopped by the Lua stack, memory or time limit, whichever comes first', async () => {
  // Which limit wins depends on the machine's speed; each is contained and documented (500 or 503).
  for (const source of [
    'local function f() return 1 + f() end f()',
    'local function f(n) return f(n + 1) end f(1)',
    'local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]',
    'local function f(s) return (s:gsub(".", f)) end f("ab")',
  ]) {
    const result = await outcome(sandbox, source)
    expect(['ScriptRuntimeError', 'ScriptMemoryError', 'ScriptTimeoutError']).toContain(
      result.error as string,
    )
    if (result.error === 'ScriptRuntimeError') expect(result.message).toMatch(/stack overflow/)
  }
  // pcall catches a C stack overflow like any other error: the script then simply ends.
  expect((await outcome(sandbox, 'local function f() return pcall(f) end f()')).status).toBe(200)
  await stillServes()
})

test('a huge returned or printed string hits the output limit', async () => {
  for (const source of [
    'return string.rep("x", 2^21)',
    'for i = 1, 2^12 do kvdb.print(string.rep("y", 1024)) end',
  ]) {
    expect(await outcome(patient, source)).toEqual({
      error: 'ScriptOutputError',
      message: 'script output exceeded 1 MiB',
    })
  }
  await stillServes()
})

test('a top-level yield, an error object and an error with __tostring are plain runtime errors', async () => {
  expect((await outcome(sandbox, 'coroutine.yield(1)')).message).toBe(
    'test:1: attempt to yield from outside a coroutine',
  )
  expect((await outcome(sandbox, 'error({})')).message).toBe('(error object is a table value)')
  const tostringLoop = 'error(setmetatable({}, {__tostring = function() while true do end end}))'
  expect((await outcome(sandbox, tostringLoop)).message).toBe('(error object is a table value)')
  await stillServes()
})

test('no global, library change or metatable survives into the next run', async () => {
  await outcome(sandbox, 'x = 1 math.floor = nil table.insert = nil coroutine.wrap = nil _G.string = nil')
  const check =
    'kvdb.print(tostring(x), math.floor(1.5), type(table.insert), type(coroutine.wrap), ("a"):upper())'
  expect((await outcome(sandbox, check)).body).toBe('nil1functionfunctionA')
})
