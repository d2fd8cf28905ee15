// Why a mutant that survives the mutation run is equivalent or harmless, keyed by what it changes
// (file name, original text and replacement, not line numbers, so the reasons outlive edits
// elsewhere). docs/mutation.md shows each survivor with its reason.

import type { Survivor } from './report.ts'

interface Reason {
  /** The end of the mutated file's path, e.g. "engine/sqlite-cache.ts". */
  file: string
  /** The original source text, whitespace collapsed; omitted = any text in that file. */
  original?: string
  replacement?: string
  mutator?: string
  why: string
}

const REASONS: Reason[] = []

const flat = (text: string) => text.replace(/\s+/g, ' ').trim()

export function explain(survivor: Survivor): string | undefined {
  return REASONS.find(
    (reason) =>
      survivor.file.endsWith(reason.file) &&
      (reason.original === undefined || flat(reason.original) === flat(survivor.original)) &&
      (reason.replacement === undefined || flat(reason.replacement) === flat(survivor.replacement)) &&
      (reason.mutator === undefined || reason.mutator === survivor.mutator),
  )?.why
}
