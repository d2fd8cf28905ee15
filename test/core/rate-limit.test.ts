import { expect, test } from 'bun:test'
import { Engine } from '../../core/engine/engine.ts'
import { SqliteBackend } from '../../core/engine/sqlite/backend.ts'
import { Call, setPeer } from '../../core/http/call.ts'
import { RateLimiter } from '../../core/rate-limit.ts'
import { ManualClock } from '../support/manual-clock.ts'

test('a fixed window counts requests per subject and opens again when the window ends', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 0, 0))
  const engine = new Engine(new SqliteBackend({ path: ':memory:' }), { clock, sweepIntervalMs: 0 })
  const limiter = new RateLimiter(engine)
  const first = await limiter.hit('ip:1', 2, 3600)
  expect(first).toEqual({
    allowed: true,
    limit: 2,
    remaining: 1,
    resetAt: Date.UTC(2026, 0, 1, 11) / 1000,
    retryAfter: 3600,
  })
  expect((await limiter.hit('ip:1', 2, 3600)).remaining).toBe(0)
  const refused = await limiter.hit('ip:1', 2, 3600)
  expect(refused.allowed).toBe(false)
  expect((await limiter.hit('ip:2', 2, 3600)).allowed).toBe(true)
  clock.advance(3600_000)
  expect((await limiter.hit('ip:1', 2, 3600)).allowed).toBe(true)
  await engine.close()
})

test('concurrent hits are all counted', async () => {
  const engine = new Engine(new SqliteBackend({ path: ':memory:' }), { sweepIntervalMs: 0 })
  const limiter = new RateLimiter(engine)
  const results = await Promise.all(Array.from({ length: 50 }, () => limiter.hit('busy', 30, 60)))
  expect(results.filter((result) => result.allowed).length).toBe(30)
  await engine.close()
})

test('X-Forwarded-For is believed only from trusted proxies', () => {
  const request = (peer: string, forwarded?: string) => {
    const made = new Request('http://localhost/', {
      headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
    })
    setPeer(made, peer)
    return new Call(made, {})
  }
  const clientAddress = (call: Call, trustedProxies: string[]) => call.clientAddress(trustedProxies)
  expect(clientAddress(request('10.0.0.1', '1.2.3.4'), [])).toBe('10.0.0.1')
  expect(clientAddress(request('10.0.0.1', '1.2.3.4'), ['10.0.0.1'])).toBe('1.2.3.4')
  expect(clientAddress(request('10.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2'), ['10.0.0.1', '10.0.0.2'])).toBe(
    '1.2.3.4',
  )
  expect(clientAddress(request('10.0.0.1'), ['10.0.0.1'])).toBe('10.0.0.1')
})
