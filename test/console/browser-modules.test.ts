// The console's pure browser helpers (bytes and formats), run here as the same ES modules the
// browser loads. Their paths go through a variable: for the server's type checking these files are
// text (core/console/text-imports.d.ts), here they are code.

import { describe, expect, test } from 'bun:test'

interface BytesModule {
  utf8Text(bytes: Uint8Array): string | null
  base64Bytes(base64: string): Uint8Array
  bytesBase64(bytes: Uint8Array): string
  percentEncode(bytes: Uint8Array): string
  percentDecode(text: string): Uint8Array
  hexDump(bytes: Uint8Array): string
  hexText(bytes: Uint8Array): string
  hexBytes(text: string): Uint8Array
}
interface FormatModule {
  formatSize(size: number): string
  formatDuration(seconds: number): string
  timeOf(value: string | number | null | undefined): number | null
  formatExpiry(expiresAt: number | null, now?: number): string
}

interface SseEvent {
  type: string
  data: string
  id: string
}
interface SseModule {
  sseParser(
    onEvent: (event: SseEvent) => void,
    lastEventId?: string,
  ): { push(chunk: string): void; lastEventId: string; retry: number | null }
}

const ui = '../../core/console/ui'
const bytes: BytesModule = await import(`${ui}/bytes.mjs`)
const format: FormatModule = await import(`${ui}/format.mjs`)
const sse: SseModule = await import(`${ui}/sse.mjs`)

describe('bytes in the console', () => {
  test('a key goes into a URL as its percent-encoded bytes and comes back unchanged, UTF-8 or not', () => {
    const key = Uint8Array.from([0x61, 0x2f, 0xff, 0x20, 0x2e, 0x7e, 0xc3, 0xa9])
    expect(bytes.percentEncode(key)).toBe('a%2F%FF%20.~%C3%A9')
    expect([...bytes.percentDecode('a%2F%FF%20.~%C3%A9')]).toEqual([...key])
    expect(bytes.percentEncode(new TextEncoder().encode('users/1 é?#'))).toBe(
      encodeURIComponent('users/1 é?#'),
    )
    const every = Uint8Array.from({ length: 256 }, (_, index) => index)
    expect([...bytes.percentDecode(bytes.percentEncode(every))]).toEqual([...every])
  })

  test('text only where the bytes are UTF-8; base64 both ways', () => {
    expect(bytes.utf8Text(new TextEncoder().encode('héllo'))).toBe('héllo')
    expect(bytes.utf8Text(Uint8Array.from([0xff, 0x00]))).toBeNull()
    const raw = Uint8Array.from([0, 1, 2, 0xfe, 0xff, 0x80])
    expect(bytes.bytesBase64(raw)).toBe('AAEC/v+A')
    expect([...bytes.base64Bytes('AAEC/v+A')]).toEqual([...raw])
  })

  test('hex: edited in pairs, shown as a dump with offsets and ASCII, and bad digits refused', () => {
    const raw = new TextEncoder().encode('kvgate console!!+')
    expect(bytes.hexText(raw)).toBe('6b 76 67 61 74 65 20 63 6f 6e 73 6f 6c 65 21 21\n2b')
    expect(bytes.hexDump(raw)).toBe(
      '00000000  6b 76 67 61 74 65 20 63 6f 6e 73 6f 6c 65 21 21  kvgate console!!\n' +
        `00000010  2b${' '.repeat(45)}  +`,
    )
    expect([...bytes.hexBytes(' 00 ff\n7F ')]).toEqual([0, 255, 127])
    expect(() => bytes.hexBytes('0')).toThrow('pairs of digits')
    expect(() => bytes.hexBytes('zz')).toThrow('pairs of digits')
  })
})

describe('formats in the console', () => {
  test('sizes, durations and expiries', () => {
    expect(format.formatSize(21)).toBe('21 B')
    expect(format.formatSize(2048)).toBe('2.0 KiB')
    expect(format.formatDuration(0)).toBe('0s')
    expect(format.formatDuration(65)).toBe('1m 05s')
    expect(format.formatDuration(3600)).toBe('1h 00m')
    expect(format.formatDuration(90_061)).toBe('1d 01h')
    expect(format.formatExpiry(null)).toBe('never')
    expect(format.formatExpiry(10_000, 5_000)).toBe('in 5s')
    expect(format.formatExpiry(5_000, 5_000)).toBe('expired')
  })

  test('times as the API may give them: ISO text, milliseconds or seconds', () => {
    expect(format.timeOf('2026-01-02T03:04:05.000Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5))
    expect(format.timeOf(1_767_323_045_000)).toBe(1_767_323_045_000)
    expect(format.timeOf(1_767_323_045)).toBe(1_767_323_045_000)
    expect(format.timeOf(null)).toBeNull()
    expect(format.timeOf('soon')).toBeNull()
  })
})

describe('the event stream parser of the live tail', () => {
  const stream =
    'retry: 1500\n: watching\n\nid: 42\nevent: put\ndata: {"key":"a",\ndata:"version":1}\n\n' +
    ': heartbeat\r\n\r\nid: 43\revent:delete\r\ndata: {"key":"a"}\r\rdata\nid\n\n'
  const parse = (chunks: string[], lastEventId?: string) => {
    const events: SseEvent[] = []
    const parser = sse.sseParser((event) => events.push(event), lastEventId)
    const ids: string[] = []
    for (const chunk of chunks) {
      parser.push(chunk)
      ids.push(parser.lastEventId)
    }
    return { events, parser, ids }
  }
  const expected = [
    { type: 'put', data: '{"key":"a",\n"version":1}', id: '42' },
    { type: 'delete', data: '{"key":"a"}', id: '43' },
    // A bare "data" is an empty line of data; a bare "id" clears the id.
    { type: 'message', data: '', id: '' },
  ]

  test('events, ids, retry and comments, with any line ending', () => {
    const { events, parser } = parse([stream], '7')
    expect(events).toEqual(expected)
    expect(parser.retry).toBe(1500)
    expect(parser.lastEventId).toBe('')
  })

  test('the same events however the stream is cut, even between CR and LF', () => {
    expect(parse([...stream]).events).toEqual(expected)
    const cut = stream.indexOf('delete\r\n') + 'delete\r'.length
    expect(parse([stream.slice(0, cut), stream.slice(cut)]).events).toEqual(expected)
  })

  test('the id to resume from is the last dispatched one, kept across comments', () => {
    const { ids, events } = parse(
      ['retry: 1000\n: watching\n\n', 'id: 9\nevent: put\ndata: {}\n', '\n', ': heartbeat\n\n'],
      '5',
    )
    expect(ids).toEqual(['5', '5', '9', '9'])
    expect(events).toEqual([{ type: 'put', data: '{}', id: '9' }])
    const unfinished = parse(['id: 10\nevent: put\ndata: {}\n'], '9')
    expect(unfinished.events).toEqual([])
    expect(unfinished.parser.lastEventId).toBe('9')
  })
})
