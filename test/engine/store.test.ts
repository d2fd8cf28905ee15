// Opening the configured store: the embedded one at once, Redis through its module imported on
// demand, with a stand-in answering meanwhile.

import { expect, test } from 'bun:test'
import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { UnavailableError } from '../../core/engine/errors.ts'
import { LoadingBackend } from '../../core/engine/loading-backend.ts'
import { openBackend } from '../../core/engine/store.ts'
import { BUN, ROOT } from '../support/process.ts'

/** How many ioredis modules a fresh process has loaded after opening this store. */
function ioredisModulesAfterOpening(store: object): number {
  const script = `
    const { openBackend } = await import(${JSON.stringify(`${ROOT}core/engine/store.ts`)})
    const backend = openBackend(${JSON.stringify(store)}, { timeoutMs: 100 })
    await backend.ping().catch(() => {})
    console.log(Object.keys(require.cache).filter((path) => path.includes('ioredis')).length)
    await backend.close()`
  const child = Bun.spawnSync([BUN, '--eval', script], { stdout: 'pipe', stderr: 'pipe' })
  return Number(child.stdout.toString().trim())
}

test('the embedded store never loads ioredis; a Redis store does', () => {
  expect(ioredisModulesAfterOpening({ type: 'sqlite', path: ':memory:' })).toBe(0)
  expect(ioredisModulesAfterOpening({ type: 'redis', url: 'redis://127.0.0.1:1' })).toBeGreaterThan(0)
})

test('a data file that cannot be opened fails at once, naming the file', () => {
  expect(() =>
    openBackend({ type: 'sqlite', path: '/proc/kvgate/cannot.db', synchronous: 'normal' }),
  ).toThrow('cannot open the data file /proc/kvgate/cannot.db')
})

test('calls made while the backend loads wait for it; then the engine calls it directly', async () => {
  let open!: (backend: ReturnType<typeof openBackend>) => void
  const stand = new LoadingBackend('sqlite', new Promise((resolve) => (open = resolve)))
  const engine = new Engine(stand, { sweepIntervalMs: 0 })
  const written = engine.put('ns', utf8('k'), { bytes: utf8('v') })
  const real = openBackend({ type: 'sqlite', path: ':memory:', synchronous: 'normal' })
  open(real)
  expect((await written).version).toBe(1)
  expect(engine.backend).toBe(real)
  expect((await engine.get('ns', utf8('k')))?.version).toBe(1)
  await engine.close()
})

test('a Redis backend that cannot be opened makes every call unavailable, and closes quietly', async () => {
  const failed = new UnavailableError('open-failed', 'cannot open the redis store: no module')
  const engine = new Engine(new LoadingBackend('redis', Promise.reject(failed)), { sweepIntervalMs: 0 })
  const error = await engine.get('ns', utf8('k')).catch((caught) => caught)
  expect(error).toMatchObject({ code: 'unavailable', reason: 'open-failed' })
  expect(error.message).toBe('cannot open the redis store: no module')
  await engine.close()
})

test('a Redis key prefix with a brace fails at once, before the Redis client loads', () => {
  expect(() => openBackend({ type: 'redis', url: 'redis://127.0.0.1:1', prefix: 'a{b}' })).toThrow(
    'cannot open the redis store: a Redis key prefix must not contain "{" or "}": a{b}',
  )
})
