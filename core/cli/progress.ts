// Progress of a long command (export, import, backup, migrate): on a terminal, one line redrawn in
// place with the count, the rate and the time left; elsewhere nothing until the end, then a
// one-line JSON summary.

const REDRAW_MS = 200

export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

export class Progress {
  readonly tty: boolean
  private readonly started = performance.now()
  private drawn = 0
  private shown = false

  constructor(
    private readonly label: string,
    private readonly stream: ProgressStream = process.stderr,
    private readonly noun = 'keys',
  ) {
    this.tty = stream.isTTY === true
  }

  get seconds(): number {
    return (performance.now() - this.started) / 1000
  }

  /** Redraws the line (on a terminal, at most every 200 ms); fraction is how much is done, when known. */
  update(count: number, fraction: number | null): void {
    if (!this.tty) return
    const now = performance.now()
    if (now - this.drawn < REDRAW_MS) return
    this.drawn = now
    const rate = count / Math.max(this.seconds, 0.001)
    const left =
      fraction !== null && fraction > 0 && fraction < 1 ? this.seconds * ((1 - fraction) / fraction) : null
    const bar = fraction === null ? '' : ` ${barOf(fraction)} ${Math.floor(fraction * 100)}%`
    const { noun } = this
    this.stream.write(
      `\r\x1b[2K${this.label}${bar}  ${count.toLocaleString('en')} ${noun}  ${Math.round(rate).toLocaleString('en')} ${noun}/s${left === null ? '' : `  ETA ${clock(left)}`}`,
    )
    this.shown = true
  }

  /** Clears the line, so that what follows starts on a clean one. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K')
    this.shown = false
  }

  /** Ends the progress line: a human line on a terminal, else the summary as one JSON line on `out`. */
  finish(summary: Record<string, unknown>, human: string, out: ProgressStream): void {
    if (this.tty) this.stream.write(`\r\x1b[2K${human}\n`)
    else out.write(`${JSON.stringify(summary)}\n`)
  }
}

/** A progress line counting toward a total when one is known (backup in KiB, migrate in keys). */
export function progressLine(stream: ProgressStream, noun: string, label = '') {
  const progress = new Progress(label, stream, noun)
  return {
    update: (count: number, total: number | null) =>
      progress.update(count, total === null || total === 0 ? null : Math.min(1, count / total)),
    done: () => progress.clear(),
  }
}

/** Keys per second over a run. */
export const rateOf = (count: number, seconds: number) => Math.round(count / Math.max(seconds, 0.001))

function barOf(fraction: number): string {
  const width = 20
  const full = Math.min(width, Math.floor(fraction * width))
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`
}

function clock(seconds: number): string {
  const s = Math.ceil(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}
