// JSON fidelity: the value's text comes back exactly as sent, less insignificant whitespace.

import { expect, test } from 'bun:test'
import { describeEachStore } from '../../support/stores.ts'
import { rocketstackSetup } from './client.ts'

/** The raw text of data.value in an answer: everything between "value": and ,"version". */
const valueText = (text: string) => text.slice(text.indexOf('"value":') + 8, text.lastIndexOf(',"version":'))

// JSON fidelity does not depend on where the dialect is mounted: this file runs under the default
// mount only (routing, errors and keys run under every mount in the other files).
describeEachStore('RocketStack JSON values', (store) => {
  const open = rocketstackSetup(store)

  test('every kind of JSON value comes back exactly', async () => {
    const { client } = await open()
    const values = [
      '{"theme":"dark","notifications":true}',
      '[1,"two",{"three":[3,[3.0]]},null,true,false]',
      '"just a string"',
      '42',
      '-0.5e-10',
      '1E400',
      'true',
      'false',
      'null',
      '{}',
      '[]',
      '""',
      '{"z":1,"a":2,"m":{"y":[],"b":{}}}',
      '12345678901234567890',
      '{"id":123456789012345678901234567890,"ratio":0.1000000000000000055511151231257827}',
      '"caf\\u00e9 \\ud83d\\ude80 \\"quoted\\" \\\\ \\/ \\n\\t"',
      '"café 🚀 日本語"',
      '{"a":{"b":{"c":{"d":{"e":{"f":{"g":[[[[[["deep"]]]]]]}}}}}}}',
    ]
    for (const [i, text] of values.entries()) {
      const put = await client.put(`v${i}`, `{"value":${text}}`)
      expect(put.status).toBe(200)
      expect(valueText(put.text)).toBe(text)
      const got = await client.get(`v${i}`)
      expect(valueText(got.text)).toBe(text)
      expect(JSON.parse(got.text).data.value).toEqual(JSON.parse(text))
    }
  })

  test('random JSON with random whitespace comes back as its compact text', async () => {
    const { client } = await open()
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return Math.floor(seed / 65536) % n // the low bits of this generator repeat quickly
    }
    const space = () => [' ', '\t', '\n', '\r\n', '', ''][random(6)]!
    // JSON texts of strings: empty, a space, a backslash, a backslash and a quote, JSON's punctuation, ...
    const strings = ['""', '"a b"', '"\\\\"', '"\\\\\\""', '"}]{[,:"', '"\\u00e9"', '"é🚀"', '"value"']
    const numbers = ['0', '-1', '3.25', '1e-7', '-2.5E+30', '98765432109876543210987654321']
    /** A value as [compact text, text with whitespace]. */
    const value = (depth: number): [string, string] => {
      const pick = random(depth > 3 ? 3 : 5)
      if (pick === 0) return [strings[random(strings.length)]!, '']
      if (pick === 1) return [numbers[random(numbers.length)]!, '']
      if (pick === 2) return [['true', 'false', 'null'][random(3)]!, '']
      const items = Array.from({ length: random(4) }, () => value(depth + 1))
      const members = items.map(([compact]) => compact)
      const spaced = items.map(([compact, text]) => `${space()}${text || compact}${space()}`)
      if (pick === 3) return [`[${members.join(',')}]`, `[${spaced.join(',')}]`]
      const names = items.map((_, i) => strings[(i + random(strings.length)) % strings.length]!)
      return [
        `{${members.map((member, i) => `${names[i]}:${member}`).join(',')}}`,
        `{${spaced.map((member, i) => `${space()}${names[i]}${space()}:${member}`).join(',')}}`,
      ]
    }
    for (let i = 0; i < 200; i++) {
      const [compact, text] = value(0)
      const body = `${space()}{${space()}"before"${space()}:${space()}1,${space()}"value"${space()}:${space()}${text || compact}${space()},"after":[]}${space()}`
      const answer = await client.put(`r${i}`, body)
      expect({ body, status: answer.status }).toEqual({ body, status: 200 })
      expect(valueText(answer.text)).toBe(compact)
      expect(valueText((await client.get(`r${i}`)).text)).toBe(compact)
    }
  })

  test('deeply nested values are stored, or refused as bad input, never a 500', async () => {
    const { client } = await open()
    for (const depth of [1000, 100_000, 400_000]) {
      const text = `${'['.repeat(depth)}${']'.repeat(depth)}`
      const put = await client.put(`deep${depth}`, `{"value":${text}}`)
      expect([200, 400]).toContain(put.status)
      if (put.status === 200) expect(valueText((await client.get(`deep${depth}`)).text)).toBe(text)
    }
  })

  test('whitespace outside strings is dropped, inside strings kept', async () => {
    const { client } = await open()
    const body = '{\n  "value" : {\n    "a b" : [ 1 ,\t2 ] ,\r\n    "c" : " spaced  out "\n  }\n}\n'
    await client.put('ws', body)
    expect(valueText((await client.get('ws')).text)).toBe('{"a b":[1,2],"c":" spaced  out "}')
  })

  test('the last "value" wins, as in JSON.parse, and other fields are ignored', async () => {
    const { client } = await open()
    await client.put('dup', '{"value":"first","note":{"value":"nested"},"value":["second"],"extra":1}')
    expect(valueText((await client.get('dup')).text)).toBe('["second"]')
    await client.put('nested', '{"meta":{"value":1},"value":{"value":{"value":2}}}')
    expect(valueText((await client.get('nested')).text)).toBe('{"value":{"value":2}}')
  })

  test('null is a value; a body without "value", not an object, or not JSON is 400', async () => {
    const { client } = await open()
    expect((await client.put('null', '{"value":null}')).json.data.value).toBeNull()
    expect((await client.get('null')).json.data).toMatchObject({ value: null })
    for (const body of [
      '',
      '{}',
      '{"ttlSeconds":5}',
      '[{"value":1}]',
      '"value"',
      'null',
      '{"value":',
      '{value:1}',
    ]) {
      const answer = await client.put('bad', body)
      expect({ body, status: answer.status, code: answer.json?.error?.code }).toEqual({
        body,
        status: 400,
        code: 'BAD_REQUEST',
      })
    }
    expect((await client.get('bad')).status).toBe(404)
  })

  test('the body is JSON whatever its Content-Type, and must be UTF-8', async () => {
    const { client } = await open()
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const answer = await client.put('typed', '{"value":{"ok":true}}', { 'content-type': type })
      expect(answer.status).toBe(200)
    }
    const answer = await client.request('/rocketstack/kv/items/latin1', {
      method: 'PUT',
      body: new Uint8Array([
        ...new TextEncoder().encode('{"value":"'),
        0xe9,
        ...new TextEncoder().encode('"}'),
      ]),
    })
    expect(answer.status).toBe(400)
  })
})
