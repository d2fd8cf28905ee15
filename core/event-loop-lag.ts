// Event-loop lag, measured with a timer: how late a timeout fires is how long the loop was busy.
// prom-client's own lag figures come from perf_hooks.monitorEventLoopDelay, which Deno provides
// but does not feed (a loop blocked for 100 ms reports a 1 ms maximum there), and they restart at
// every scrape; a timer works the same under Bun and Deno and feeds an ordinary histogram.

export interface LagSink {
  observe(seconds: number): void
}

/** Observes the lag every `intervalMs` until the returned function is called; never keeps a process alive. */
export function watchEventLoopLag(sink: LagSink, intervalMs = 100): () => void {
  let timer: ReturnType<typeof setTimeout>
  let due = 0
  const schedule = () => {
    due = performance.now() + intervalMs
    timer = setTimeout(tick, intervalMs)
    ;(timer as { unref?: () => void }).unref?.()
  }
  const tick = () => {
    sink.observe(Math.max(0, performance.now() - due) / 1000)
    schedule()
  }
  schedule()
  return () => clearTimeout(timer)
}
