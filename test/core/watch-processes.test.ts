// The watch feed across processes: two kvgate processes on one Redis, writes through the first and
// the watcher on the second, over real HTTP (so Bun's idle timeout is in play too): live events,
// and a resume with Last-Event-ID after 100 writes made while away.

import { afterAll, expect, test } from 'bun:test'
import { type KvgateChild, startKvgateChild } from '../support/process.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'
import { SSE, SseReader } from '../support/watch.ts'

const url = redisUrl()
const prefix = testPrefix()
const children: KvgateChild[] = []

afterAll(async () => {
  for (const child of children) await child.stop()
  await dropPrefix({ url }, prefix)
})

async function startKvgate(): Promise<string> {
  const child = await startKvgateChild({ REDIS_URL: url, KVGATE_REDIS_PREFIX: prefix, KVGATE_LOG: 'silent' })
  children.push(child)
  return child.url
}

test.skipIf(!(await requireRedis('redis', url)))(
  'a watcher on one kvgate process hears the writes made through another, and resumes exactly',
  async () => {
    const [writer, watcher] = await Promise.all([startKvgate(), startKvgate()])
    const bucket = await (
      await fetch(`${writer}/kvdb/`, {
        method: 'POST',
        body: 'email=w@example.com',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).text()
    const put = async (key: string, value: string) =>
      expect((await fetch(`${writer}/kvdb/${bucket}/${key}`, { method: 'PUT', body: value })).status).toBe(
        200,
      )

    const live = new SseReader(await fetch(`${watcher}/kvdb/${bucket}?watch`, { headers: SSE }))
    // The watcher may join the shared reader a moment after answering: write until it hears.
    const first = live.take(1)
    let heard = false
    first.then(() => {
      heard = true
    })
    while (!heard) {
      await put('hello', 'again')
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 200))])
    }
    await first
    await put('first', '1')
    // Some of the hellos written meanwhile may still come first.
    let event = (await live.take(1))[0]!
    while (event.data.key === 'hello') event = (await live.take(1))[0]!
    expect(event.data.key).toBe('first')
    const last = event.id!
    await live.close()

    for (let i = 0; i < 100; i++) await put(`k${i}`, String(i))
    const resumed = new SseReader(
      await fetch(`${watcher}/kvdb/${bucket}?watch`, { headers: { ...SSE, 'last-event-id': last } }),
    )
    const got = await resumed.take(100)
    await put('after', 'x')
    const [next] = await resumed.take(1)
    await resumed.close()
    expect(got.map((event) => event.data.key)).toEqual(Array.from({ length: 100 }, (_, i) => `k${i}`))
    expect(got.map((event) => Number(event.id))).toEqual(
      Array.from({ length: 100 }, (_, i) => Number(last) + 1 + i),
    )
    expect(next!.data.key).toBe('after')
  },
  30_000,
)
