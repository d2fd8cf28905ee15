// The seed's curl command lines, run by the real curl against a listening kvgate, with only the
// base URL replaced.

import { afterAll, beforeAll, expect, test } from 'bun:test'
import { listenTestKvgate } from '../../support/kvgate.ts'
import { describeEachStore } from '../../support/stores.ts'
import { type KvdbHarness, kvdbHarness } from './harness.ts'

const hasCurl = Bun.spawnSync(['curl', '--version'], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0
if (!hasCurl) console.warn('curl is not installed: the KVdb curl tests are skipped')

describeEachStore('kvdb with the real curl', (store) => {
  let h: KvdbHarness
  let server: { url: string; stop(): Promise<void> }
  let base: string
  beforeAll(() => {
    h = kvdbHarness(store)
    server = listenTestKvgate(h.kv)
    base = `${server.url}/kvdb`
  })
  afterAll(async () => {
    await server.stop()
    await h.kv.close()
  })

  /** Runs curl with these arguments; answers the status and the body. */
  async function curl(...args: string[]): Promise<[number, string]> {
    const child = Bun.spawn(['curl', '-s', '-w', '\n%{http_code}', ...args], {
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const out = await new Response(child.stdout).text()
    await child.exited
    const cut = out.lastIndexOf('\n')
    return [Number(out.slice(cut + 1)), out.slice(0, cut)]
  }

  test.skipIf(!hasCurl)('the document, command by command', async () => {
    const [, open] = await curl('-d', 'email=user@example.com', base)
    expect(open).toMatch(/^[1-9A-Za-z]{22}$/)
    const [created, id] = await curl(
      ...['-d', 'email=user@example.com', '-d', 'secret_key=supersecret', '-d', 'write_key=knock'],
      ...['-d', 'default_ttl=3600', '-d', 'signing_key=sign'],
      `${base}/`,
    )
    expect(created).toBe(200)
    expect(await curl(`${base}/${id}/hello`, '-u', 'knock:', '-d', 'world')).toEqual([200, ''])
    expect(await curl(`${base}/${id}/hello?ttl=30`, '-u', 'knock:', '-d', 'world')).toEqual([200, ''])
    expect(await curl(`${base}/${id}/hello`)).toEqual([200, 'world'])
    expect(await curl('-X', 'PATCH', `${base}/${id}/visitors`, '-u', 'knock:', '-d', '+1')).toEqual([
      200,
      '1',
    ])
    expect(await curl('-X', 'PATCH', `${base}/${id}/visitors`, '-u', 'knock:', '-d', '+100')).toEqual([
      200,
      '101',
    ])
    await curl(`${base}/${id}/flavor-today`, '-u', 'knock:', '-d', 'coconut')
    await curl(`${base}/${id}/hits_2018_01`, '-u', 'knock:', '-d', '3')
    expect(await curl(`${base}/${id}/`, '-u', 'supersecret:')).toEqual([
      200,
      'flavor-today\nhello\nhits_2018_01\nvisitors\n',
    ])
    expect(await curl(`${base}/${id}/?prefix=hits_2018`, '-u', 'supersecret:')).toEqual([
      200,
      'hits_2018_01\n',
    ])
    const [, json] = await curl(`${base}/${id}/?values=true&format=json&prefix=v`, '-u', 'supersecret:')
    expect(JSON.parse(json)).toEqual([['visitors', 101]])
    const txn =
      '{\n  "txn": [\n    {"set": "users:1:email", "value": "user 1"},\n    {"delete": "hello"}\n  ]\n}'
    expect(
      await curl('-H', 'Content-Type: application/json', `${base}/${id}`, '-u', 'knock:', '-d', txn),
    ).toEqual([200, ''])
    expect(await curl(`${base}/${id}/users:1:email`)).toEqual([200, 'user 1'])
    const [minted, tokenJson] = await curl(
      ...['-d', 'prefix=user:123:&permissions=read,write&ttl=3600', '-u', 'supersecret:'],
      `${base}/${id}/tokens/`,
    )
    expect(minted).toBe(200)
    const token = JSON.parse(tokenJson).access_token as string
    expect(
      await curl(`${base}/${id}/user:123:name`, '-H', `Authorization: Bearer ${token}`, '-d', 'Ada'),
    ).toEqual([200, ''])
    expect(await curl(`${base}/${id}/user:123:name?access_token=${token}`)).toEqual([200, 'Ada'])
    expect(await curl(`${base}/${id}/?key=supersecret&format=jsonl&prefix=user:`)).toEqual([
      200,
      '"user:123:name"\n',
    ])
    expect(
      (await curl('-X', 'PATCH', `${base}/${id}`, '-d', 'write_key=knock2', '-u', 'supersecret:'))[0],
    ).toBe(200)
    expect((await curl(`${base}/${id}/x`, '-u', 'knock:', '-d', '1'))[0]).toBe(401)
    expect(await curl('-X', 'DELETE', `${base}/${id}/users:1:email`, '-u', 'knock2:')).toEqual([200, ''])
    expect(await curl(`${base}/${id}/users:1:email`)).toEqual([404, 'key not found'])
    expect(await curl('-X', 'DELETE', `${base}/${id}`, '-u', 'supersecret:')).toEqual([200, ''])
    expect(await curl(`${base}/${id}/hello`)).toEqual([404, 'bucket not found'])
  })
})
