// The Lua port of string.find/match/gmatch/gsub (core/scripting/patterns.ts) must answer exactly as
// Lua's C matcher: thousands of generated pattern/subject pairs, plus the classic corner cases, are
// run through both on one Lua state and compared, errors included. Then: which calls the sandbox
// sends to the port, and that a backtracking bomb is stopped by the time limit.

import { afterAll, expect, test } from 'bun:test'
import { createLuaFactory } from '../../core/scripting/lua-factory.ts'
import { PATTERNS } from '../../core/scripting/patterns.ts'
import { ScriptSandbox } from '../../core/scripting/sandbox.ts'
import { outcome } from './support.ts'

const COMPARE = String.raw`
local P = load(...)()
local pack, unpack, concat = table.pack, table.unpack, table.concat

-- An error raised in C carries its caller's position; the port's errors carry none.
local function unplaced(message)
  return (tostring(message):gsub('^%[string "[^"]*"%]:%d+: ', ''))
end

local function show(ok, ...)
  local r = pack(...)
  local parts = { tostring(ok) }
  for i = 1, r.n do parts[#parts + 1] = type(r[i]) .. ':' .. (ok and tostring(r[i]) or unplaced(r[i])) end
  return concat(parts, '|')
end

local function gm(impl, s, p, init)
  local out, n = {}, 0
  local ok, err = pcall(function()
    for a, b in impl(s, p, init) do
      n = n + 1
      out[#out + 1] = tostring(a) .. ',' .. tostring(b)
      if n > 200 then break end
    end
  end)
  return ok and concat(out, ';') or ('error ' .. unplaced(err))
end

local mismatches, count = {}, 0
local function check(s, p, init, repl)
  count = count + 1
  local cases = {
    { 'find', show(pcall(string.find, s, p, init)), show(pcall(P.find, s, p, init)) },
    { 'match', show(pcall(string.match, s, p, init)), show(pcall(P.match, s, p, init)) },
    { 'gmatch', gm(string.gmatch, s, p, init), gm(P.gmatch, s, p, init) },
    { 'gsub', show(pcall(string.gsub, s, p, repl)), show(pcall(P.gsub, s, p, repl)) },
    { 'gsub2', show(pcall(string.gsub, s, p, repl, 2)), show(pcall(P.gsub, s, p, repl, 2)) },
  }
  for _, c in ipairs(cases) do
    if c[2] ~= c[3] and #mismatches < 20 then
      mismatches[#mismatches + 1] = c[1] .. '(' .. string.format('%q', s) .. ', ' .. string.format('%q', p) .. ', ' ..
        tostring(init) .. '): C ' .. c[2] .. ' ~= Lua ' .. c[3]
    end
  end
end

local fixed = {
  { 'hello world', 'o' }, { 'hello world', 'l+' }, { 'hello world', '^h' }, { 'hello world', 'd$' },
  { 'hello world', '(o)(r)' }, { 'hello world', '()ll()' }, { 'key=value', '(%w+)=(%w+)' },
  { '  trim me  ', '^%s*(.-)%s*$' }, { 'THE (quick) fox', '%((%a+)%)' }, { 'f(a(b)c)d', '%b()' },
  { 'THE (quick) fox', '%f[%a]%a+' }, { 'abcabc', '(abc)%1' }, { 'x = 1, y = 22', '(%a)%s*=%s*(%d+)' },
  { 'aaa', 'a-' }, { 'aaa', 'a-b' }, { 'aaa', 'a*' }, { 'aaa', 'a?' }, { '', '' }, { '', 'a*' },
  { 'abc', '' }, { 'a.b', '%.' }, { 'a]b', '[]]' }, { 'a-b', '[a-]' }, { 'a^b', '[%^]' }, { 'a^b', '[^^]' },
  { '[x]', '[[]' }, { 'abc', '[^%a]' }, { 'ABC def', '%u+' }, { 'ABC def', '%L+' }, { '12ab', '%x+' },
  { 'a,b;c', '%p' }, { 'tab\there', '%c' }, { 'abc', '%' }, { 'abc', '[a' }, { 'abc', '(' }, { 'abc', ')' },
  { 'abc', '%b' }, { 'abc', '%f' }, { 'abc', '%1' }, { 'abc', '(a)%2' }, { 'abc', '%g+' }, { 'abc', '%z' },
  { 'hello', '(h)(e)(l)(l)(o)' }, { 'hello', '((h)(e))' }, { 'hello', '(()' }, { 'a\0b', '%z' }, { 'a\0b', '.' },
  { 'a+b', 'a+b' }, { 'a+b', 'a%+b' }, { '$5', '$%d' }, { 'x$', 'x$' }, { 'x$y', 'x$y' }, { 'abc', '^' },
  { 'the end', '%f[%z]' }, { 'caf\195\169', '[\128-\255]+' }, { 'aXb', '%f[%u]' }, { 'one two', '(%w+) (%w+)' },
}
for _, f in ipairs(fixed) do
  for _, init in ipairs({ 'nil', 1, 2, -2, 0, 10, -100 }) do
    check(f[1], f[2], init ~= 'nil' and init or nil, '<%0>')
  end
  check(f[1], f[2], nil, '%1')
  check(f[1], f[2], nil, { a = 'A', hello = 'HI', o = false })
  check(f[1], f[2], nil, function(a) return a and a:upper() end)
end

-- Generated cases: a small alphabet makes matches, backtracking and captures frequent.
math.randomseed(42)
local ATOMS = { 'a', 'b', '.', '%a', '%d', '%s', '[ab]', '[^a]', '[a-c]', '%w', 'x', ' ', '%%', '%.' }
local QUANT = { '', '', '', '*', '+', '-', '?' }
local function pattern()
  local parts = {}
  if math.random() < 0.2 then parts[1] = '^' end
  for _ = 1, math.random(1, 5) do
    local r = math.random()
    if r < 0.1 then parts[#parts + 1] = '(' .. ATOMS[math.random(#ATOMS)] .. QUANT[math.random(#QUANT)] .. ')'
    elseif r < 0.13 then parts[#parts + 1] = '()'
    elseif r < 0.16 then parts[#parts + 1] = '%b()'
    elseif r < 0.19 then parts[#parts + 1] = '%f[%w]'
    else parts[#parts + 1] = ATOMS[math.random(#ATOMS)] .. QUANT[math.random(#QUANT)] end
  end
  if math.random() < 0.2 then parts[#parts + 1] = '$' end
  return concat(parts)
end
local CHARS = { 'a', 'b', 'c', 'x', ' ', '1', '(', ')', '.', '%' }
local function subject()
  local parts = {}
  for i = 1, math.random(0, 14) do parts[i] = CHARS[math.random(#CHARS)] end
  return concat(parts)
end
for _ = 1, 3000 do
  local init = math.random() < 0.3 and math.random(-5, 10) or nil
  check(subject(), pattern(), init, math.random() < 0.5 and '[%0]' or '%1')
end

return count .. ' cases\n' .. concat(mismatches, '\n')
`

test('the Lua port answers as the C matcher on fixed and generated cases, errors included', async () => {
  const lua = await (await createLuaFactory()).createEngine()
  try {
    lua.global.set('PATTERNS_SOURCE', PATTERNS)
    lua.global.set('COMPARE_SOURCE', COMPARE)
    const report: string = await lua.doString('return assert(load(COMPARE_SOURCE))(PATTERNS_SOURCE)')
    const [count, ...mismatches] = report.split('\n').filter(Boolean)
    expect(mismatches).toEqual([])
    expect(Number.parseInt(count ?? '0', 10)).toBeGreaterThan(3000)
  } finally {
    lua.global.close()
  }
}, 60_000)

const sandbox = new ScriptSandbox({ poolSize: 1 })
afterAll(() => sandbox.close())

test('backtracking bombs are stopped by the CPU time limit instead of holding the process', async () => {
  for (const source of [
    'local s = string.rep("a", 1e6) return tostring(s:find(".-.-b"))',
    'return tostring(string.find(string.rep("a", 1e6), "a+b"))',
    'return tostring(string.rep("a", 40):match(string.rep("a*", 40) .. "b"))',
    'for w in string.rep("(", 1e5):gmatch("%b()") do end',
    'return (string.rep("a", 1e5):gsub("a-b", ""))',
  ]) {
    const started = performance.now()
    expect(await outcome(sandbox, source)).toMatchObject({ error: 'ScriptTimeoutError' })
    expect(performance.now() - started).toBeLessThan(2_000)
  }
})

test('everyday patterns keep working, through both matchers', async () => {
  const source = `
    local parts = {}
    for k, v in ("a=1&b=22"):gmatch("(%w+)=(%w+)") do parts[#parts + 1] = k .. v end
    local big = string.rep("word ", 4000)
    kvdb.say(table.concat(parts, ","), " ", ("  x  "):match("^%s*(.-)%s*$"), " ", select(2, big:gsub("%s+", " ")))
    kvdb.say(big:find("word $"), " ", (big:match("(%w+) $")), " ", #big:gsub("(%w+)", "%1!"))`
  expect(await outcome(sandbox, source)).toMatchObject({ body: 'a1,b22 x 4000\n19996 word 24000\n' })
})
