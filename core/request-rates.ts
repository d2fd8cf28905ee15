// Requests per second by dialect over the last few seconds, for the admin API's stats and the
// console's live rate: a ring of one-second counts per dialect, so counting is an array increment.

/** Seconds a rate is averaged over (whole seconds before the current one). */
const WINDOW_SECONDS = 10

class Ring {
  readonly counts = new Float64Array(WINDOW_SECONDS + 1)
  second = 0
}

export class RequestRates {
  private readonly rings = new Map<string, Ring>()

  constructor(private readonly now: () => number = Date.now) {}

  count(name: string): void {
    let ring = this.rings.get(name)
    if (!ring) {
      ring = new Ring()
      this.rings.set(name, ring)
    }
    const second = Math.floor(this.now() / 1000)
    advance(ring, second)
    ring.counts[second % ring.counts.length]!++
  }

  /** Requests per second of each name over the last WINDOW_SECONDS whole seconds, and their total. */
  perSecond(): Record<string, number> {
    const second = Math.floor(this.now() / 1000)
    const rates: Record<string, number> = { total: 0 }
    for (const [name, ring] of this.rings) {
      advance(ring, second)
      let sum = 0
      for (let back = 1; back <= WINDOW_SECONDS; back++)
        sum += ring.counts[(second - back) % ring.counts.length]!
      rates[name] = sum / WINDOW_SECONDS
      rates.total! += sum / WINDOW_SECONDS
    }
    return rates
  }
}

/** Zeroes the seconds that passed since the ring was last touched. */
function advance(ring: Ring, second: number): void {
  const passed = Math.min(second - ring.second, ring.counts.length)
  for (let step = 1; step <= passed; step++) ring.counts[(ring.second + step) % ring.counts.length] = 0
  if (second > ring.second) ring.second = second
}
