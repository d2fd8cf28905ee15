import { describe, expect, test } from 'bun:test'
import { createLogger } from '../../core/log.ts'

/** A logger writing into an array, flushed after each call. */
function capture(options: Parameters<typeof createLogger>[1] = {}) {
  const lines: string[] = []
  const log = createLogger('debug', {
    ...options,
    write: (text) => lines.push(...text.split('\n').filter(Boolean)),
  })
  return {
    log,
    lines: () => {
      log.flush()
      return lines
    },
  }
}

describe('log lines', () => {
  test('JSON when not on a terminal (auto), one object a line', () => {
    const { log, lines } = capture({ isTTY: false })
    log.info('listening', { port: 8787, mounts: ['kvdb=/kvdb'] })
    const [line] = lines()
    expect(JSON.parse(line!)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'info',
      msg: 'listening',
      port: 8787,
      mounts: ['kvdb=/kvdb'],
    })
  })

  test('readable single lines on a terminal (auto), whatever the fields hold', () => {
    const { log, lines } = capture({ isTTY: true })
    log.child({ dialect: 'kvdb' }).warn('store unavailable', {
      error: new Error('connection refused\nat once'),
      path: '/kvdb/a b',
      status: 503,
      big: 10n,
      nested: { a: [1, 'two'] },
      missing: undefined,
    })
    const all = lines()
    expect(all).toHaveLength(1)
    expect(all[0]).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN {2}store unavailable dialect=kvdb error="Error: connection refused\\nat once\\n.*" path="\/kvdb\/a b" status=503 big=10 nested=\{"a":\[1,"two"\]\}$/,
    )
  })

  test('KVGATE_LOG_FORMAT json or text wins over what the output is', () => {
    const json = capture({ format: 'json', isTTY: true })
    json.log.error('boom')
    expect(JSON.parse(json.lines()[0]!).msg).toBe('boom')
    const text = capture({ format: 'text', isTTY: false })
    text.log.debug('multi\nline message', { id: 'r1' })
    expect(text.lines()).toEqual([expect.stringMatching(/ DEBUG multi line message id=r1$/)])
  })

  test('lines below the level are dropped', () => {
    const lines: string[] = []
    const log = createLogger('warn', { format: 'json', write: (text) => lines.push(text) })
    log.info('quiet')
    log.warn('loud')
    log.flush()
    expect(lines.join('')).not.toContain('quiet')
    expect(lines.join('')).toContain('loud')
  })
})

describe('workers sharing one stdout', () => {
  test('with writeLimit, each write is whole lines of at most that many bytes (a longer line alone)', () => {
    const writes: string[] = []
    const log = createLogger('info', { format: 'json', writeLimit: 512, write: (text) => writes.push(text) })
    for (let i = 0; i < 40; i++) log.info('request', { path: `/kvdb/b/${'é'.repeat(20)}${i}` })
    log.info('big', { value: 'x'.repeat(2000) })
    log.flush()
    expect(writes.length).toBeGreaterThan(2)
    for (const write of writes) {
      expect(write.endsWith('\n')).toBe(true)
      const lines = write.split('\n').filter(Boolean)
      if (lines.length > 1) expect(Buffer.byteLength(write)).toBeLessThanOrEqual(512)
    }
    const lines = writes.join('').split('\n').filter(Boolean)
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual([...Array(40).fill('request'), 'big'])
  })
})
