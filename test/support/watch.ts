// Reading a watch feed in tests: the frames of an event stream, parsed as EventSource would, and
// the shared black-box suite every dialect runs through its own adapter (auth, prefix, resume,
// reset, long-poll), so each dialect's watch test only says how to reach its feed.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { TestStore } from './stores.ts'

export interface SseEvent {
  id: string | null
  event: string
  data: any
}

/** A connected event stream: its events as they come, and a way to drop the connection. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly decoder = new TextDecoder()
  private buffer = ''
  comments = 0

  constructor(readonly response: Response) {
    this.reader = response.body!.getReader()
  }

  /** The next `count` events (comments are counted, not returned). */
  take(count: number): Promise<SseEvent[]> {
    return this.readUntil(count, () => false)
  }

  /** Reads until `count` comment lines in all have come. */
  async comment(count: number): Promise<void> {
    await this.readUntil(Number.POSITIVE_INFINITY, () => this.comments >= count)
  }

  private async readUntil(count: number, enough: () => boolean): Promise<SseEvent[]> {
    const events: SseEvent[] = []
    while (events.length < count && !enough()) {
      const end = this.buffer.indexOf('\n\n')
      if (end === -1) {
        const { value, done } = await this.reader.read()
        if (done) throw new Error(`the stream ended after ${events.length} of ${count} events`)
        this.buffer += this.decoder.decode(value, { stream: true })
        continue
      }
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      const event: SseEvent = { id: null, event: 'message', data: undefined }
      let data: string | null = null
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++
        else if (line.startsWith('id: ')) event.id = line.slice(4)
        else if (line.startsWith('event: ')) event.event = line.slice(7)
        else if (line.startsWith('data: ')) data = line.slice(6)
      }
      if (data === null) continue
      event.data = JSON.parse(data)
      events.push(event)
    }
    return events
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {})
  }
}

/** How the shared suite reaches one dialect's feed on one store. */
export interface WatchAdapter {
  /** GETs the container's watch URL with this query (no "?"), with a credential that may read it. */
  watch(query: string, headers?: Record<string, string>): Promise<Response>
  /** The same without a valid credential; `status` is what the dialect answers. */
  refused(query: string): Promise<Response>
  refusedStatus: number
  put(key: string, value: string): Promise<void>
  remove(key: string): Promise<void>
  close(): Promise<void>
}

export const SSE = { accept: 'text/event-stream' }

/**
 * The suite: `open` builds the dialect's kvgate on `store` with `env` (a change log kept to 150
 * records) and a fresh container with its credentials.
 */
export function watchSuite(
  title: string,
  store: TestStore,
  open: (env: Record<string, string>) => Promise<WatchAdapter>,
): void {
  describe(`${title} watch [${store.name}]`, () => {
    let target: WatchAdapter
    beforeAll(async () => {
      target = await open({ ...store.env, KVGATE_CHANGE_LOG_MAX_ENTRIES: '150' })
    })
    afterAll(() => target.close())

    const stream = async (query: string, headers: Record<string, string> = {}) => {
      const response = await target.watch(query, { ...SSE, ...headers })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toStartWith('text/event-stream')
      return new SseReader(response)
    }

    /** The event of a put of `<letter>:start`, seen on a stream that is then closed: a point to resume from. */
    const startEvent = async (letter: string) => {
      const first = await stream(`prefix=${letter}%3A`)
      await target.put(`${letter}:start`, '0')
      const [seen] = await first.take(1)
      await first.close()
      return seen
    }

    test('without a credential that may read the container, the watch is refused', async () => {
      const response = await target.refused('')
      expect(response.status).toBe(target.refusedStatus)
      await response.body?.cancel()
    })

    test('an event stream tells each put and delete under the prefix, in order', async () => {
      const events = await stream('prefix=p1%3A')
      await target.put('other', 'x')
      await target.put('p1:a', 'one')
      await target.remove('p1:a')
      await target.put('p1:b', 'two')
      const got = await events.take(3)
      await events.close()
      expect(got.map((event) => `${event.event} ${event.data.key}`)).toEqual([
        'put p1:a',
        'delete p1:a',
        'put p1:b',
      ])
      const ids = got.map((event) => Number(event.id))
      expect(ids[1]).toBe(ids[0]! + 1)
      expect(ids[2]).toBe(ids[1]! + 1)
      expect(got[0]!.data.version).toBeNumber()
      expect(got[0]!.data.value).toBeUndefined()
    })

    test('?values=1 brings each put value along', async () => {
      const events = await stream('values=1&prefix=v%3A')
      await target.put('v:1', 'hello')
      const [event] = await events.take(1)
      await events.close()
      expect(event!.data.key).toBe('v:1')
      expect(event!.data.value).toContain('hello')
    })

    test('resumed with Last-Event-ID: exactly the 100 writes made while away, in order, once each', async () => {
      const seen = await startEvent('r')
      for (let i = 0; i < 100; i++) await target.put(`r:${i}`, String(i))
      const resumed = await stream('prefix=r%3A', { 'last-event-id': seen!.id! })
      const got = await resumed.take(100)
      await target.put('r:after', 'x')
      const [next] = await resumed.take(1)
      await resumed.close()
      expect(got.map((event) => event.data.key)).toEqual(Array.from({ length: 100 }, (_, i) => `r:${i}`))
      const ids = got.map((event) => Number(event.id))
      expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => Number(seen!.id) + 1 + i))
      expect(next!.data.key).toBe('r:after')
    })

    test('resumed from before what the log keeps: a reset, then the changes from there on', async () => {
      const seen = await startEvent('z')
      for (let i = 0; i < 200; i++) await target.put(`z:${i}`, String(i))
      const resumed = await stream('prefix=z%3A', { 'last-event-id': seen!.id! })
      const [reset] = await resumed.take(1)
      expect(reset!.event).toBe('reset')
      expect(Number(reset!.id)).toBeGreaterThan(Number(seen!.id) + 200 - 1)
      await target.put('z:next', 'x')
      const [next] = await resumed.take(1)
      await resumed.close()
      expect(next!.data.key).toBe('z:next')
      expect(Number(next!.id)).toBe(Number(reset!.id) + 1)
    })

    test('the long-poll form answers JSON: the changes after ?after=, or the first one to come', async () => {
      const start = await (await target.watch('prefix=lp%3A')).json()
      expect(start.reset).toBe(false)
      const from = start.revision as number
      await target.put('lp:a', '1')
      const page = await (await target.watch(`after=${from}&prefix=lp%3A`)).json()
      expect(page.changes.map((change: any) => `${change.type} ${change.key} ${change.revision}`)).toEqual([
        `put lp:a ${from + 1}`,
      ])
      expect(page.revision).toBe(from + 1)
      const waiting = target.watch(`after=${page.revision}&prefix=lp%3A&wait=30`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      await target.remove('lp:a')
      const waited = await (await waiting).json()
      expect(waited.changes.map((change: any) => `${change.type} ${change.key}`)).toEqual(['delete lp:a'])
      const gone = await (await target.watch('after=1&prefix=lp%3A')).json()
      expect(gone.reset).toBe(true)
    })

    test('a malformed revision is bad input, not a server error', async () => {
      const response = await target.watch('after=abc')
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
    })
  })
}
