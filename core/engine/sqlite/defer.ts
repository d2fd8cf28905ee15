// Runs a callback on a later turn of the event loop, once the work already queued has run:
// setImmediate where the runtime has it (Bun, Deno's Node layer), else a zero timeout.

export const defer: (callback: () => void) => void =
  (globalThis as { setImmediate?: (callback: () => void) => void }).setImmediate ??
  ((callback) => setTimeout(callback, 0))
