// Every watch open in this process, so a shutdown can end them: an event stream or a long poll is
// an in-flight request that would otherwise hold the server's stop until the shutdown timeout.
// Their clients come back to another process (or this one, restarted) and resume by revision.

const open = new Set<() => void>()

/** Registers how to end one watch; the returned function unregisters it. */
export function registerWatch(end: () => void): () => void {
  open.add(end)
  return () => {
    open.delete(end)
  }
}

/** Ends every open watch: streams close, long polls answer with what they have. */
export function endAllWatches(): void {
  for (const end of [...open]) end()
}
