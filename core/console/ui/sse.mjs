// Reads a Server-Sent Events stream from text chunks, as the HTML standard says EventSource does.
// The console cannot use EventSource itself: it sends no Authorization header, and the admin token
// must never go into a URL. So the console fetches the stream and parses it here.

/** @typedef {{ type: string, data: string, id: string }} SseEvent */

/**
 * A parser fed the stream's text in chunks of any size; it calls `onEvent` for each complete event.
 * `lastEventId` is the id to resume from (Last-Event-ID), `retry` the server's reconnection delay.
 * @param {(event: SseEvent) => void} onEvent
 * @param {string} [lastEventId] where an earlier connection left off
 */
export function sseParser(onEvent, lastEventId = '') {
  let buffer = ''
  let data = ''
  let type = ''
  let idBuffer = lastEventId
  const parser = {
    lastEventId,
    /** @type {number | null} */
    retry: null,
    /** @param {string} chunk */
    push(chunk) {
      buffer += chunk
      for (;;) {
        const end = buffer.search(/[\r\n]/)
        if (end < 0) break
        // A CR at the very end may be the first half of CRLF: wait for the next chunk to know.
        if (buffer[end] === '\r' && end === buffer.length - 1) break
        const line = buffer.slice(0, end)
        buffer = buffer.slice(buffer.startsWith('\r\n', end) ? end + 2 : end + 1)
        parser.line(line)
      }
    },
    /** @param {string} line */
    line(line) {
      if (line === '') return dispatch()
      if (line.startsWith(':')) return // a comment: the heartbeat, or "watching"
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      let value = colon < 0 ? '' : line.slice(colon + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (field === 'data') data += `${value}\n`
      else if (field === 'event') type = value
      else if (field === 'id' && !value.includes('\0')) idBuffer = value
      else if (field === 'retry' && /^\d+$/.test(value)) parser.retry = Number(value)
    },
  }
  const dispatch = () => {
    parser.lastEventId = idBuffer
    if (data === '') {
      type = ''
      return
    }
    const event = { type: type || 'message', data: data.slice(0, -1), id: parser.lastEventId }
    data = ''
    type = ''
    onEvent(event)
  }
  return parser
}
