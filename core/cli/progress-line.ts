// Progress of a long command. On a terminal: one line rewritten in place (count, rate, and an ETA
// when the total is known), at most five times a second. Elsewhere nothing until the end, where the
// command prints its one-line JSON summary instead.

export interface Progress {
  update(count: number, total: number | null): void
  /** Clears the line, so that what follows starts on a clean one. */
  done(): void
}

const REDRAW_MS = 200

export function progressLine(stream: NodeJS.WriteStream, noun: string): Progress {
  if (!stream.isTTY) return { update() {}, done() {} }
  const started = Date.now()
  // The first line after one redraw interval: a rate over a few keys says nothing.
  let drawn = started
  let shown = false
  let first: number | null = null
  return {
    update(count, total) {
      first ??= count
      const now = Date.now()
      if (now - drawn < REDRAW_MS) return
      drawn = now
      shown = true
      const rate = (count - first) / Math.max((now - started) / 1000, 0.001)
      const of = total === null ? '' : ` of ${total.toLocaleString('en')}`
      const eta = total !== null && rate > 0 ? `  ETA ${duration(Math.max(0, total - count) / rate)}` : ''
      stream.write(
        `\r${count.toLocaleString('en')}${of} ${noun}  ${Math.round(rate).toLocaleString('en')} ${noun}/s${eta}\x1b[K`,
      )
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}

function duration(seconds: number): string {
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`
}
