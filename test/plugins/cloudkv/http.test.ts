import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAdmin } from '../../../core/cli/admin.ts'
import { cloudkvDialect } from '../../../plugins/cloudkv-compat/index.ts'
import { testKvgate } from '../../support/kvgate.ts'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import {
  CLOUDKV_MOUNTS,
  type CloudkvHarness,
  cloudkvHarness,
  DEFAULT_MOUNT,
  type ServedCloudkv,
  UUID,
} from './support.ts'

const MiB = 1024 * 1024

describeEachStoreAndMount('cloudkv: CORS, request ids, limits', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  let owner: { id: string; key: string }
  let bucket: string
  let server: ServedCloudkv
  beforeAll(async () => {
    h = cloudkvHarness(store, { mount })
    owner = await h.account()
    bucket = await h.bucket(owner.key, 'protected')
    server = h.listen()
  })
  afterAll(async () => {
    await server.stop()
    await h.kvgate.close()
  })

  test('a CORS preflight on any route answers 204 without authentication', async () => {
    for (const path of [
      '/ping',
      '/buckets',
      `/buckets/${bucket}`,
      `/kv/${bucket}/k`,
      `/kv/${bucket}`,
      '/nope',
    ]) {
      const response = await h.call('OPTIONS', path, {
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'api-key, content-type',
        },
      })
      expect(response.status, path).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-allow-methods')).toBe(
        'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      )
      expect(response.headers.get('access-control-allow-headers')).toBe('api-key, Content-Type')
      expect(response.headers.get('x-request-id')).toMatch(UUID)
      expect(await response.text()).toBe('')
    }
  })

  test('a plain OPTIONS is 204 too', async () => {
    expect((await h.call('OPTIONS', `/kv/${bucket}/k`)).status).toBe(204)
  })

  test('every response, errors included, allows any origin and exposes the key headers', async () => {
    const responses = [
      await h.call('GET', '/ping'),
      await h.call('GET', `/kv/${bucket}/k`),
      await h.call('GET', '/buckets', { key: 'bad' }),
      await h.call('GET', '/nope'),
    ]
    for (const response of responses) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      expect(response.headers.get('access-control-expose-headers')).toBe(
        'Last-Modified, Expires, Content-Length, X-Request-ID',
      )
      expect(response.headers.get('x-request-id')).toMatch(UUID)
    }
  })

  test('a value over 1 MiB is 413 before the body is read; exactly 1 MiB is stored', async () => {
    const exact = await h.call('PUT', `/kv/${bucket}/big`, { key: owner.key, body: new Uint8Array(MiB) })
    expect(exact.status).toBe(200)
    const read = await h.call('HEAD', `/kv/${bucket}/big`, { key: owner.key })
    expect(read.headers.get('content-length')).toBe(String(MiB))

    const over = await h.call('PUT', `/kv/${bucket}/bigger`, {
      key: owner.key,
      body: new Uint8Array(MiB + 1),
    })
    expect(over.status).toBe(413)
    expect(over.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(((await over.json()) as { message: string }).message).toContain('1048576')
    expect(over.headers.get('x-request-id')).toMatch(UUID)
    expect((await h.call('GET', `/kv/${bucket}/bigger`, { key: owner.key })).status).toBe(404)
  })

  test('a declared oversize body is refused whatever the credentials, without reading it', async () => {
    let pulled = 0
    const body = new ReadableStream({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(64 * 1024))
      },
    })
    const response = await h.kvgate.server.fetch(
      new Request(`http://${mount.host}${mount.prefix}/kv/${bucket}/k`, {
        method: 'PUT',
        body,
        headers: { host: mount.host, 'content-length': String(2 * MiB) },
        duplex: 'half',
      } as RequestInit),
      '127.0.0.1',
    )
    expect(response.status).toBe(413)
    expect(pulled).toBeLessThan(3)
  })

  test('a streamed (chunked) oversize value is cut off at the limit over a real port', async () => {
    let sent = 0
    const body = new ReadableStream({
      pull(controller) {
        if (sent > 4 * MiB) return controller.close()
        sent += 256 * 1024
        controller.enqueue(new Uint8Array(256 * 1024))
      },
    })
    const response = await server.fetch(`/kv/${bucket}/streamed`, {
      method: 'PUT',
      body,
      headers: { 'api-key': owner.key },
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(((await response.json()) as { message: string }).message).toContain('1048576')
    const read = await server.fetch(`/kv/${bucket}/streamed`, {
      headers: { 'api-key': owner.key },
    })
    expect(read.status).toBe(404)
  })

  test('over a real port: HEAD keeps Content-Length, writes answer Content-Length 0', async () => {
    const path = `/kv/${bucket}/real`
    const set = await server.fetch(`${path}?ttl=5s`, {
      method: 'POST',
      body: 'hello',
      headers: { 'api-key': owner.key },
    })
    expect(set.status).toBe(200)
    expect(set.headers.get('content-length')).toBe('0')
    const head = await server.fetch(path, { method: 'HEAD', headers: { 'api-key': owner.key } })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('5')
    expect(head.headers.get('expires')).not.toBeNull()
    expect(head.headers.get('last-modified')).not.toBeNull()
    const removed = await server.fetch(path, { method: 'DELETE', headers: { 'api-key': owner.key } })
    expect(removed.status).toBe(200)
    expect(removed.headers.get('content-length')).toBe('0')
  })
})

describeEachStoreAndMount('cloudkv: KVGATE_CLOUDKV_* options', CLOUDKV_MOUNTS, (store, mount) => {
  let h: CloudkvHarness
  beforeAll(() => {
    h = cloudkvHarness(store, {
      mount,
      env: {
        KVGATE_CLOUDKV_MAX_KEY_BYTES: '8',
        KVGATE_CLOUDKV_MAX_VALUE_BYTES: '10',
        KVGATE_CLOUDKV_MAX_FIND_KEYS: '2',
        KVGATE_CLOUDKV_MAX_BUCKETS_PER_ACCOUNT: '1',
        KVGATE_CLOUDKV_MAX_KEYS_PER_BUCKET: '3',
      },
    })
  })
  afterAll(() => h.kvgate.close())

  test('the limits follow the options', async () => {
    const { key } = await h.account()
    const bucket = await h.bucket(key, 'public')
    const second = await h.call('POST', '/buckets?access=public', { key })
    expect(second.status).toBe(403)
    expect(await second.json()).toEqual({ message: 'bucket limit of 1 reached' })

    expect((await h.call('PUT', `/kv/${bucket}/12345678`, { body: '1234567890' })).status).toBe(200)
    expect((await h.call('PUT', `/kv/${bucket}/123456789`, { body: 'x' })).status).toBe(400)
    expect((await h.call('PUT', `/kv/${bucket}/k`, { body: '12345678901' })).status).toBe(413)
    await h.call('PUT', `/kv/${bucket}/a`, { body: 'x' })
    await h.call('PUT', `/kv/${bucket}/b`, { body: 'x' })
    const full = await h.call('PUT', `/kv/${bucket}/c`, { body: 'x' })
    expect(full.status).toBe(403)
    expect(typeof ((await full.json()) as { message: unknown }).message).toBe('string')
    // Overwriting an existing key is no new key.
    expect((await h.call('PUT', `/kv/${bucket}/a`, { body: 'y' })).status).toBe(200)
    expect(await (await h.call('GET', `/kv/${bucket}?prefix=`)).text()).toBe('12345678\na')
  })

  test('a bad option value is a configuration error naming the variable', () => {
    expect(() =>
      testKvgate([cloudkvDialect], { ...store.env, KVGATE_CLOUDKV_MAX_VALUE_BYTES: 'lots' }),
    ).toThrow('KVGATE_CLOUDKV_MAX_VALUE_BYTES')
  })
})

describe('cloudkv: accounts from `kvgate admin`', () => {
  test('kvgate admin accounts create --dialect cloudkv prints an api_key that works', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kvgate-cloudkv-')), 'kv.db')
    const env = { KVGATE_DATA: data, KVGATE_LOG: 'silent' }
    const created = (await runAdmin(['accounts', 'create', '--dialect', 'cloudkv', '--name', 'shop'], env, [
      cloudkvDialect,
    ])) as { account_id: string; dialect: string; credentials: Record<string, string> }
    expect(created.dialect).toBe('cloudkv')
    expect(Object.keys(created.credentials)).toEqual(['api_key'])

    const kvgate = testKvgate([cloudkvDialect], { KVGATE_DATA: data })
    try {
      const form = new FormData()
      form.set('access', 'protected')
      const response = await kvgate.fetch(`${DEFAULT_MOUNT.prefix}/buckets`, {
        method: 'POST',
        body: form,
        headers: { 'api-key': created.credentials.api_key! },
      })
      expect(response.status).toBe(201)
      expect(((await response.json()) as { account_id: string }).account_id).toBe(created.account_id)
    } finally {
      await kvgate.close()
    }
  })
})
