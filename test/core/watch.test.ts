// The watch feed's core: the operator's route, keys that are not UTF-8, heartbeats, and watchers
// that leave nothing behind (10,000 opened and dropped, on every store).

import { expect, test } from 'bun:test'
import { utf8 } from '../../core/engine/bytes.ts'
import { endAllWatches } from '../../core/watch/index.ts'
import { openEventStreams } from '../../core/watch/sse.ts'
import { subscribedWatchers } from '../../core/watch/watcher.ts'
import { ADMIN_TOKEN, type TestKvgate, testKvgate } from '../support/kvgate.ts'
import { describeEachStore } from '../support/stores.ts'
import { SSE, SseReader } from '../support/watch.ts'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

const watchPath = (id: string, query = '') => `/admin/namespaces/${id}/watch${query ? `?${query}` : ''}`

/** Waits, without a deadline of its own, until nothing of any watcher is left. */
async function drained(): Promise<void> {
  for (let turn = 0; turn < 1000 && (subscribedWatchers() > 0 || openEventStreams() > 0); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const heapAfterGc = () => {
  Bun.gc(true)
  return process.memoryUsage().heapUsed
}

describeEachStore('watch feed', (store) => {
  const open = (env: Record<string, string> = {}): TestKvgate => testKvgate([], { ...store.env, ...env })

  test('the operator watches any namespace; without the admin token, 401; an unknown one, 404', async () => {
    const kv = open()
    const ns = await kv.engine.namespaces.create({ dialect: 'test' })
    expect((await kv.fetch(watchPath(ns.id), { headers: SSE })).status).toBe(401)
    expect((await kv.fetch(watchPath('nope'), { headers: { ...SSE, ...admin } })).status).toBe(404)
    const events = new SseReader(
      await kv.fetch(watchPath(ns.id, 'values=1'), { headers: { ...SSE, ...admin } }),
    )
    const key = new Uint8Array([0x6b, 0xff])
    await kv.engine.put(ns.id, key, { bytes: new Uint8Array([0xfe, 0x00]) })
    await kv.engine.put(ns.id, utf8('text'), { bytes: utf8('plain') }, { ttlMs: 60_000 })
    const [binary, plain] = await events.take(2)
    await events.close()
    expect(binary!.data).toMatchObject({
      key: 'a/8=',
      key_encoding: 'base64',
      value: '/gA=',
      value_encoding: 'base64',
    })
    expect(plain!.data.key).toBe('text')
    expect(plain!.data.value).toBe('plain')
    expect(plain!.data.expires_at).toBeGreaterThan(Date.now() / 1000)
    await kv.close()
  })

  test('an idle stream gets heartbeat comments', async () => {
    const kv = open({ KVGATE_WATCH_HEARTBEAT_MS: '100' })
    const ns = await kv.engine.namespaces.create({ dialect: 'test' })
    const events = new SseReader(await kv.fetch(watchPath(ns.id), { headers: { ...SSE, ...admin } }))
    // One comment opens the stream; the others are heartbeats.
    await events.comment(4)
    await events.close()
    expect(events.comments).toBe(4)
    await kv.close()
  })

  test('HEAD answers the headers and opens no watcher; a shutdown ends every open watch', async () => {
    const kv = open()
    const ns = await kv.engine.namespaces.create({ dialect: 'test' })
    await drained()
    const head = await kv.fetch(watchPath(ns.id), { method: 'HEAD', headers: { ...SSE, ...admin } })
    expect(head.status).toBe(200)
    expect(openEventStreams()).toBe(0)
    const stream = new SseReader(await kv.fetch(watchPath(ns.id), { headers: { ...SSE, ...admin } }))
    const poll = kv.fetch(watchPath(ns.id, 'wait=100'), { headers: admin })
    await stream.comment(1)
    // Both in place (the poll has its own way to go through auth first), then the shutdown.
    while (subscribedWatchers() < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await (await kv.fetch('/metrics')).text()).toContain('\nkvgate_watchers 2\n')
    endAllWatches()
    await expect(stream.take(1)).rejects.toThrow('the stream ended')
    expect(((await (await poll).json()) as { changes: unknown[] }).changes).toEqual([])
    await drained()
    expect(subscribedWatchers()).toBe(0)
    await kv.close()
  })

  test('switched off, the change log leaves the watch unavailable (503), not broken', async () => {
    const kv = open({ KVGATE_CHANGE_LOG: 'false' })
    const ns = await kv.engine.namespaces.create({ dialect: 'test' })
    expect((await kv.fetch(watchPath(ns.id), { headers: { ...SSE, ...admin } })).status).toBe(503)
    await kv.close()
  })

  test('10,000 watchers opened and dropped leave no subscription, timer or memory behind', async () => {
    const kv = open()
    const ns = await kv.engine.namespaces.create({ dialect: 'test' })
    await drained()
    const baseline = heapAfterGc()
    const BATCH = 500
    for (let done = 0; done < 10_000; done += BATCH) {
      const readers = await Promise.all(
        Array.from({ length: BATCH }, async () => {
          const reader = new SseReader(await kv.fetch(watchPath(ns.id), { headers: { ...SSE, ...admin } }))
          return reader
        }),
      )
      // Every watcher hears this one write before it is dropped.
      await kv.engine.put(ns.id, utf8('k'), { bytes: utf8(String(done)) })
      await Promise.all(readers.map((reader) => reader.take(1)))
      expect(subscribedWatchers()).toBe(BATCH)
      await Promise.all(readers.map((reader) => reader.close()))
    }
    await drained()
    expect(subscribedWatchers()).toBe(0)
    expect(openEventStreams()).toBe(0)
    const grown = heapAfterGc() - baseline
    console.log(`heap after 10,000 watchers: ${(grown / 1024 / 1024).toFixed(1)} MiB over the baseline`)
    expect(grown).toBeLessThan(16 * 1024 * 1024)
    await kv.close()
  }, 120_000)
})
