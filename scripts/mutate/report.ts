// Turns Stryker's JSON report (the mutation-testing-report schema) into docs/mutation.md: the score,
// a table per file, and every surviving mutant with the reason it is harmless (reasons.ts).

export type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending'

interface Position {
  line: number
  column: number
}

export interface Mutant {
  id: string
  mutatorName: string
  replacement?: string
  location: { start: Position; end: Position }
  status: MutantStatus
}

export interface MutationReport {
  files: Record<string, { source: string; mutants: Mutant[] }>
}

export interface Survivor {
  file: string
  line: number
  mutator: string
  original: string
  replacement: string
}

export interface RunFacts {
  /** Which commit was run, and how long it took. */
  run: string
  date: string
  command: string
  explain(survivor: Survivor): string | undefined
}

const DETECTED: MutantStatus[] = ['Killed', 'Timeout']
const UNDETECTED: MutantStatus[] = ['Survived', 'NoCoverage']

/** The source text a mutant replaced (locations are 1-based lines and columns). */
export function originalText(source: string, { start, end }: Mutant['location']): string {
  const lines = source.split('\n').slice(start.line - 1, end.line)
  if (lines.length === 1) return lines[0]!.slice(start.column - 1, end.column - 1)
  lines[0] = lines[0]!.slice(start.column - 1)
  lines[lines.length - 1] = lines[lines.length - 1]!.slice(0, end.column - 1)
  return lines.join('\n')
}

const oneLine = (text: string, max = 90) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
const code = (text: string) => `\`${oneLine(text).replaceAll('`', "'").replaceAll('|', '\\|')}\``
const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`)

const sameMutant = (a: Mutant, b: Mutant) =>
  a.mutatorName === b.mutatorName &&
  a.replacement === b.replacement &&
  JSON.stringify(a.location) === JSON.stringify(b.location)

/** The spans of undetected mutants, a column wider each side, as `file:line:column-line:column` for --mutate. */
export function survivorRanges(report: MutationReport): string[] {
  return Object.entries(report.files).flatMap(([file, { mutants }]) =>
    mutants
      .filter((mutant) => UNDETECTED.includes(mutant.status))
      .map(({ location: { start, end } }) => {
        return `${file}:${start.line}:${Math.max(start.column - 1, 0)}-${end.line}:${end.column + 1}`
      }),
  )
}

/**
 * A full run with the statuses of its undetected mutants taken from a recheck of their lines. The
 * sources must not have changed in between (only tests), or a mutant is not found and stays as it was.
 */
export function mergeRecheck(full: MutationReport, recheck: MutationReport): MutationReport {
  const files = Object.fromEntries(
    Object.entries(full.files).map(([file, entry]) => {
      const again = recheck.files[file]?.mutants ?? []
      const mutants = entry.mutants.map((mutant) => {
        if (!UNDETECTED.includes(mutant.status)) return mutant
        const rerun = again.find((other) => sameMutant(mutant, other))
        return rerun ? { ...mutant, status: rerun.status } : mutant
      })
      return [file, { ...entry, mutants }]
    }),
  )
  return { ...full, files }
}

/** Reports of runs over different files as one (a file in several keeps its last report's mutants). */
export function combineReports(reports: MutationReport[]): MutationReport {
  return { files: Object.assign({}, ...reports.map((report) => report.files)) }
}

export function survivorsOf(report: MutationReport): Survivor[] {
  return Object.entries(report.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([file, { source, mutants }]) =>
      mutants
        .filter((mutant) => UNDETECTED.includes(mutant.status))
        .sort((a, b) => a.location.start.line - b.location.start.line)
        .map((mutant) => ({
          file,
          line: mutant.location.start.line,
          mutator: mutant.mutatorName,
          original: originalText(source, mutant.location),
          replacement: mutant.replacement ?? '',
        })),
    )
}

export function renderReport(report: MutationReport, facts: RunFacts): string {
  const rows: string[] = []
  const total = { detected: 0, undetected: 0, errors: 0 }
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const count = (statuses: MutantStatus[]) => mutants.filter((m) => statuses.includes(m.status)).length
    const detected = count(DETECTED)
    const undetected = count(UNDETECTED)
    const errors = count(['CompileError', 'RuntimeError'])
    total.detected += detected
    total.undetected += undetected
    total.errors += errors
    rows.push(
      `| ${file} | ${detected + undetected} | ${detected} | ${undetected} | ${percent(detected, detected + undetected)} |`,
    )
  }
  const kinds = new Map<string, number>()
  const survivors = survivorsOf(report).map((survivor) => {
    const why =
      facts.explain(survivor) ?? '**not explained yet: add a test or a reason in scripts/mutate/reasons.ts**'
    const kind = why.split(':')[0]!
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    return `- ${survivor.file}:${survivor.line} ${survivor.mutator}: ${code(survivor.original)} → ${code(survivor.replacement)}. ${why}`
  })
  const valid = total.detected + total.undetected
  return `# Mutation testing

\`npm run mutate\` plants small bugs (mutants) in core/engine and core/auth with
[StrykerJS](https://stryker-mutator.io), one at a time, and runs their fast tests against each: a mutant
is killed when a test fails. It is not part of CI (one test run per mutant takes tens of minutes on two
cores); run it after changing the engine or its tests, and read the survivors below. The configuration
is scripts/mutate/stryker.config.json (folders, not file names); the judgement of each survivor lives
in scripts/mutate/reasons.ts, and this file is written by scripts/mutate/index.ts (\`-- --recheck\`
runs only the last full run's survivors again; \`-- --render\` rewrites this file after a change to the
reasons; \`-- --combine\` writes it from runs over one folder at a time, each with that folder's tests).

Tests run for each mutant in a full run:

    ${facts.command}

## Latest run

${facts.date}. ${facts.run}

**Score: ${percent(total.detected, valid)} of ${valid} mutants killed** (${total.detected} killed or timed out,
${total.undetected} survived${total.errors ? `, ${total.errors} did not compile or load and are not counted` : ''}).
The target is 90%: ${total.detected >= 0.9 * valid ? 'met over the mutants this run measured (see above for any folder it left out)' : `not met; the gaps below are the work left, and the "slow tests" ones count as killed only when those files run`}.

| File | Mutants | Killed | Survived | Score |
| --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}

## Surviving mutants

Each carries one of these judgements (scripts/mutate/reasons.ts): equivalent (no behaviour any caller
can see changes), harmless (only speed, scheduling or memory changes), slow tests (killed by a test
file left out of the per-mutant command for its run time), other tests (killed by a fast test of
another folder, left out of a per-folder run), tested since (a test for it came after the run), or gap
(a behaviour no test pins yet, worth a test). This run: ${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}.

${survivors.length ? survivors.join('\n') : 'None.'}
`
}
