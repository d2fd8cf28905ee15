// SLOW (a few seconds): 100,000 script runs in one process stay stable. wasmoon's own helpers fail
// long before that (doString crashes after about 60 calls on one engine; a timed call leaks a
// function-table slot), so this proves the sandbox's pattern: states reused from a pool, each script
// compiled once per state, one fresh coroutine per run, one hook and one allocator per state.

import { afterAll, expect, test } from 'bun:test'
import { ScriptSandbox } from '../../core/scripting/sandbox.ts'
import { memoryHost, outcome, scriptRequest } from './support.ts'

const RUNS = 100_000
const sandbox = new ScriptSandbox({ poolSize: 4 })
afterAll(() => sandbox.close())

test(`SLOW: ${RUNS.toLocaleString('en')} runs in one process, with timeouts and memory errors between them`, async () => {
  const host = memoryHost()
  const request = scriptRequest()
  const trivial = { id: 'trivial', version: 1, name: 'trivial', source: 'kvdb.print("ok")' }
  const decoder = new TextDecoder()
  // Warm up, so the baseline includes the states and their first allocations.
  await Promise.all(Array.from({ length: 4 }, () => sandbox.run(trivial, request, host)))
  const before = sandbox.stats()
  let ok = 0
  for (let i = 0; i < RUNS; i++) {
    // Four runs in flight at a time, so all four states take turns.
    const batch = [0, 1, 2, 3].map(() => sandbox.run(trivial, request, host))
    for (const response of await Promise.all(batch)) if (decoder.decode(response.body) === 'ok') ok++
    i += 3
    if (i % 20_000 === 3) {
      // A run that times out, one that runs out of memory and one with a host call in between.
      expect((await outcome(sandbox, 'while true do end', { id: 'loop' })).error).toBe('ScriptTimeoutError')
      expect((await outcome(sandbox, 'string.rep("x", 2^30)', { id: 'bomb' })).error).toBe(
        'ScriptMemoryError',
      )
      expect((await outcome(sandbox, 'kvdb.print(kvdb.incr("n"))', { id: 'incr', host })).body).toMatch(
        /^\d+$/,
      )
    }
  }
  expect(ok).toBe(RUNS)
  const after = sandbox.stats()
  expect(after.states).toBe(4)
  // No function-table slot leaked, and the heap did not keep growing.
  expect(after.functionSlots).toBeLessThanOrEqual(before.functionSlots + 8)
  expect(after.heapBytes).toBeLessThanOrEqual(before.heapBytes + 64 * 1024 * 1024)
  // A short loop still finishes well inside the limit: deadlines are per run, not the first one kept.
  expect((await outcome(sandbox, 'local n = 0 for i = 1, 1e5 do n = n + i end return n')).body).toBe(
    '5000050000',
  )
}, 180_000)
