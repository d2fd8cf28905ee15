// The change log every backend keeps beside its entries (the watch feed reads it): one record per
// put, delete and expiry, numbered by a revision that grows by one per record in each namespace,
// written in the same atomic unit as the mutation it records. Retention is bounded by count and by
// age; a reader asking for revisions older than what is kept is told to start over (reset).

export type ChangeType = 'put' | 'delete' | 'expire'

export interface Change {
  /** Monotonic per namespace, one per record: the feed's event id. */
  revision: number
  type: ChangeType
  key: Uint8Array
  /** The entry's new version (puts); null for deletes and expiries. */
  version: number | null
  /** When the written entry expires (puts); null otherwise. */
  expiresAt: number | null
  /** When the change was made (the engine's clock). */
  at: number
}

export interface ChangePage {
  /** Changes after the asked revision, oldest first. */
  changes: Change[]
  /** The namespace's latest revision (0 before its first change). */
  head: number
  /**
   * The asked revision is older than the oldest kept (or newer than the head): the changes in
   * between are gone, so the reader must re-read the namespace and go on from `head`.
   */
  reset: boolean
}

export interface ChangeLogOptions {
  /** Records kept per namespace, at most (approximately on Redis, whose trimming is lazy). */
  maxEntries: number
  /** Records older than this are dropped as later writes come (an idle namespace keeps its own). */
  maxAgeMs: number
}

export const DEFAULT_CHANGE_LOG: ChangeLogOptions = { maxEntries: 10_000, maxAgeMs: 24 * 3600_000 }

/** Told each batch of new changes of one namespace, in revision order. */
export type ChangeListener = (changes: Change[]) => void

/** The listeners of each namespace in this process; a namespace with none costs nothing. */
export class ChangeListeners {
  private readonly byNamespace = new Map<string, Set<ChangeListener>>()

  /** Adds a listener; the returned function removes it (and the namespace once it has none). */
  add(ns: string, listener: ChangeListener, onFirst?: () => void, onLast?: () => void): () => void {
    let set = this.byNamespace.get(ns)
    if (!set) {
      set = new Set()
      this.byNamespace.set(ns, set)
      onFirst?.()
    }
    set.add(listener)
    let removed = false
    return () => {
      if (removed) return
      removed = true
      set.delete(listener)
      if (set.size === 0 && this.byNamespace.get(ns) === set) {
        this.byNamespace.delete(ns)
        onLast?.()
      }
    }
  }

  has(ns: string): boolean {
    return this.byNamespace.has(ns)
  }

  namespaces(): IterableIterator<string> {
    return this.byNamespace.keys()
  }

  /** Number of namespaces with a listener (the leak test reads it). */
  get size(): number {
    return this.byNamespace.size
  }

  emit(ns: string, changes: Change[]): void {
    const set = this.byNamespace.get(ns)
    if (!set || changes.length === 0) return
    for (const listener of [...set]) {
      try {
        listener(changes)
      } catch {
        // One watcher's failure is its own; the others still hear of the change.
      }
    }
  }
}

/** The page a log holding `changes` (after `after`, oldest first) and `head` answers with. */
export function pageOf(changes: Change[], after: number, head: number, limit: number): ChangePage {
  // A gap before the first kept record (or an `after` from the future) means records are gone.
  const first = changes[0]
  const reset = after > head || (after < head && (first === undefined || first.revision > after + 1))
  return reset ? { changes: [], head, reset } : { changes: changes.slice(0, limit), head, reset }
}
