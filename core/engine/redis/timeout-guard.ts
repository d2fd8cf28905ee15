// Makes every Redis operation settle within the store timeout: an operation still in flight at its
// deadline fails as unavailable, whatever the connection is doing (down, reconnecting, or open but
// silent). One timer serves every operation in flight, not one timer each.

import { UnavailableError } from '../errors.ts'

type InFlight = { deadline: number; reject: (error: unknown) => void }

export class TimeoutGuard {
  /** Operations in flight, oldest first (every one has the same timeout, so deadlines are in order). */
  private readonly inFlight = new Set<InFlight>()
  private readonly ticker: ReturnType<typeof setInterval>
  private closed = false

  /**
   * `toStoreError` turns what an operation failed with into the error its caller sees;
   * `timedOut` makes the error of an operation still in flight at its deadline.
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly toStoreError: (error: unknown) => unknown,
    private readonly timedOut: () => unknown = () =>
      new UnavailableError('timeout', `Redis did not answer within ${timeoutMs} ms`),
  ) {
    // Ten checks per timeout, at most every 100 ms: a late failure is late by a tenth of the timeout.
    this.ticker = setInterval(() => this.expire(), Math.max(10, Math.min(100, timeoutMs / 10)))
    // The timer must never keep a process alive on its own.
    ;(this.ticker as { unref?: () => void }).unref?.()
  }

  /** Settles within the timeout, with the operation's value or its error as a store error. */
  guard<T>(operation: Promise<T>): Promise<T> {
    if (this.closed) {
      operation.catch(() => {})
      return Promise.reject(new UnavailableError('closed', 'store is closed'))
    }
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { deadline: Date.now() + this.timeoutMs, reject }
      this.inFlight.add(entry)
      operation.then(
        (value) => {
          this.inFlight.delete(entry)
          resolve(value)
        },
        (error) => {
          this.inFlight.delete(entry)
          reject(this.toStoreError(error))
        },
      )
    })
  }

  /** Fails every operation in flight and every later one as closed. */
  close(): void {
    this.closed = true
    clearInterval(this.ticker)
    for (const entry of this.inFlight) entry.reject(new UnavailableError('closed', 'store is closed'))
    this.inFlight.clear()
  }

  private expire(): void {
    const now = Date.now()
    for (const entry of this.inFlight) {
      if (entry.deadline > now) return
      this.inFlight.delete(entry)
      entry.reject(this.timedOut())
    }
  }
}
