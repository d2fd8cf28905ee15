// Preloaded before every test file (bunfig.toml): after the whole run, fails it when a Redis key is
// left under a key prefix the run handed out, and removes such keys. Every test that makes a Redis
// key must remove it, in every database and node it used.

import { afterAll } from 'bun:test'
import { sweepLeftoverTestKeys } from './redis.ts'

afterAll(async () => {
  const left = await sweepLeftoverTestKeys()
  if (left.length === 0) return
  const prefixes = [...new Set(left.map((key) => key.split(':', 3).join(':')))]
  throw new Error(
    `the tests left ${left.length} Redis key(s) behind under ${prefixes.length} prefix(es) (now removed): ` +
      `${left
        .slice(0, 5)
        .map((key) => JSON.stringify(key))
        .join(', ')}${left.length > 5 ? ', ...' : ''}: ` +
      'close every test kvgate and engine',
  )
}, 60_000)
