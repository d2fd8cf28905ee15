// One check that a KVdb bucket script runs in the wasm Lua sandbox, limits included, shared by the
// tests of every way kvgate ships (compiled binary, Deno) because those are where wasm loading breaks.

import { expect } from 'bun:test'

export async function expectBucketScriptsRun(base: string): Promise<void> {
  const createdBucket = await fetch(`${base}/kvdb`, {
    method: 'POST',
    body: new URLSearchParams({ secret_key: 's' }),
  })
  expect(createdBucket.status).toBe(200)
  const bucket = await createdBucket.text()
  const script = (name: string, source: string) =>
    fetch(`${base}/kvdb/${bucket}/scripts/${name}`, {
      method: 'PUT',
      body: source,
      headers: { authorization: 'Bearer s' },
    })
  expect((await script('hello', 'kvdb.say("hi ", kvdb.incr("n"))')).status).toBe(200)
  expect(await (await fetch(`${base}/kvdb/${bucket}/scripts/hello`)).text()).toBe('hi 1\n')
  expect((await script('loop', 'while true do end')).status).toBe(200)
  expect((await fetch(`${base}/kvdb/${bucket}/scripts/loop`)).status).toBe(503)
}
