// Every answer, errors and unknown routes included, is JSON in RocketStack's envelope.

import { expect, test } from 'bun:test'
import { describeEachStoreAndMount } from '../../support/mounts.ts'
import { ITEMS, MOUNTS, rocketstackSetup } from './client.ts'

describeEachStoreAndMount('RocketStack routes and errors', MOUNTS, (store, mount) => {
  const open = rocketstackSetup(store, mount)

  test('unknown routes are 404 NOT_FOUND in the envelope', async () => {
    const { client } = await open()
    for (const path of [
      '/rocketstack',
      '/rocketstack/',
      '/rocketstack/kv',
      '/rocketstack/v1/kv/items/x',
      '/rocketstack/kv/itemz',
    ]) {
      const answer = await client.request(path)
      expect({ path, status: answer.status, code: answer.json?.error?.code }).toEqual({
        path,
        status: 404,
        code: 'NOT_FOUND',
      })
      expect(answer.headers.get('content-type')).toStartWith('application/json')
    }
  })

  test('a wrong method on a known path is 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const { client } = await open()
    for (const [method, path, allow] of [
      ['POST', `${ITEMS}/k`, 'GET, PUT, DELETE'],
      ['PATCH', `${ITEMS}/k`, 'GET, PUT, DELETE'],
      ['POST', ITEMS, 'GET'],
    ]) {
      const answer = await client.request(path!, { method, body: '{"value":1}' })
      expect(answer.status).toBe(405)
      expect(answer.json.error.code).toBe('METHOD_NOT_ALLOWED')
      expect(answer.headers.get('allow')).toBe(allow!)
    }
  })

  test('CORS lets browsers send the condition headers and read the ETag', async () => {
    const { kvgate } = await open()
    const preflight = await kvgate.fetch(`${ITEMS}/k`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('If-Match')
    const { client } = await open()
    const put = await client.put('k', { value: 1 })
    expect(put.headers.get('access-control-expose-headers')).toContain('ETag')
  })

  test('a store failure is 503 INTERNAL, not a crash', async () => {
    const { kvgate, client } = await open()
    await kvgate.engine.close()
    const answer = await client.get('k')
    expect(answer.status).toBe(503)
    expect(answer.json.error.code).toBe('INTERNAL')
  })

  test("RocketStack's own refusals are not counted as internal errors in /metrics", async () => {
    const { kvgate, client } = await open()
    const anonymous = await client.request(`${ITEMS}/k`, { headers: { authorization: 'Bearer nope' } })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="rocketstack"')
    expect((await client.put('k', { value: 1 })).status).toBe(200)
    expect((await client.put('k', { value: 2, ifNotExists: true })).status).toBe(409)
    expect((await client.put('k', { value: 2, ifVersion: 'abc' })).status).toBe(409)
    expect((await client.put('k', '{"value":')).status).toBe(400)
    const metrics = await (await kvgate.fetch('/metrics')).text()
    const count = (code: string) =>
      Number(
        new RegExp(`^kvgate_engine_errors_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0,
      )
    // The engine's conflict is counted by its own code; none of the answers is "internal".
    expect(count('conflict')).toBe(1)
    expect(count('internal')).toBe(0)
  })
})
