// Requests per second by dialect over the last few seconds, for the admin API's stats and the
// console's live rate. The counts themselves are the request-duration histograms' (one per dialect,
// already kept on every request); this samples their totals once a second and answers the growth
// over the window, so a request pays nothing more for it.

/** Seconds a rate is averaged over. */
const WINDOW_SECONDS = 10

interface Sample {
  at: number
  totals: Map<string, number>
}

export class RequestRates {
  /** Oldest first; at most WINDOW_SECONDS + 1 of them. */
  private readonly samples: Sample[] = []
  private readonly timer: ReturnType<typeof setInterval>

  constructor(
    private readonly totals: () => Map<string, number>,
    private readonly now: () => number = Date.now,
  ) {
    this.sample()
    this.timer = setInterval(() => this.sample(), 1000)
    // A sampler must never keep a process alive (tests, CLI commands that build the server).
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  /** Requests per second of each name over the window (or since the first sample), and their total. */
  perSecond(): Record<string, number> {
    const newest = { at: this.now(), totals: this.totals() }
    const oldest = this.samples[0] ?? newest
    const seconds = Math.max((newest.at - oldest.at) / 1000, 1)
    const rates: Record<string, number> = { total: 0 }
    for (const [name, total] of newest.totals) {
      const rate = (total - (oldest.totals.get(name) ?? 0)) / seconds
      rates[name] = rate
      rates.total! += rate
    }
    return rates
  }

  close(): void {
    clearInterval(this.timer)
  }

  private sample(): void {
    this.samples.push({ at: this.now(), totals: this.totals() })
    if (this.samples.length > WINDOW_SECONDS + 1) this.samples.shift()
  }
}
