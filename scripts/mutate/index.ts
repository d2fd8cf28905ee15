// npm run mutate: a StrykerJS mutation run over core/engine and core/auth against their fast tests
// (stryker.config.json beside this file), then docs/mutation.md from its JSON report. Not part of
// CI: it runs the tests once per mutant, tens of minutes on two cores.
//
// `npm run mutate -- --recheck` runs again only the mutants the last full run left alive (minutes,
// after adding tests for them) and writes the merged result. Other arguments
// go to Stryker (e.g. --concurrency 1). `--render` only writes docs/mutation.md again from the last
// result, after a change to reasons.ts. `--combine "text" a.json b.json ...` writes docs/mutation.md
// from the reports of several runs over different files (one folder at a time, each with the tests
// of that folder: see docs/mutation.md), the text saying how they were run.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { explain } from './reasons.ts'
import { combineReports, type MutationReport, mergeRecheck, renderReport, survivorRanges } from './report.ts'

const root = join(import.meta.dir, '../..')
const config = join(import.meta.dir, 'stryker.config.json')
const reportPath = join(root, '.stryker-tmp/mutation.json')
const fullReportPath = join(root, '.stryker-tmp/mutation-full.json')
const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as MutationReport
const commit = Bun.spawnSync(['git', 'rev-parse', '--short', 'HEAD'], { cwd: root }).stdout.toString().trim()

const render = process.argv.includes('--render')
const recheck = process.argv.includes('--recheck')
const args = process.argv.slice(2).filter((arg) => arg !== '--recheck')
let full: (MutationReport & { kvgate?: { commit: string; minutes: number } }) | undefined
if (recheck) {
  if (!existsSync(fullReportPath)) throw new Error('--recheck needs a full run first')
  full = readReport(fullReportPath)
  args.push('--mutate', survivorRanges(full).join(','))
}

const mergedPath = join(root, '.stryker-tmp/mutation-merged.json')
const { command } = JSON.parse(readFileSync(config, 'utf8')).commandRunner as { command: string }
const write = (report: MutationReport, run: string) => {
  writeFileSync(mergedPath, JSON.stringify({ ...report, kvgate: { run } }))
  const markdown = renderReport(report, {
    run,
    date: new Date().toISOString().slice(0, 10),
    command,
    explain,
  })
  writeFileSync(join(root, 'docs/mutation.md'), markdown)
  console.log(markdown.split('\n').find((line) => line.startsWith('**Score')))
}
const combine = process.argv.indexOf('--combine')
if (combine >= 0) {
  const [text, ...paths] = process.argv.slice(combine + 1)
  write(combineReports(paths.map(readReport)), text!)
  process.exit(0)
}
if (render) {
  const last = readReport(mergedPath) as MutationReport & { kvgate: { run: string } }
  write(last, last.kvgate.run)
  process.exit(0)
}

const started = Date.now()
const stryker = Bun.spawn([join(root, 'node_modules/.bin/stryker'), 'run', config, ...args], {
  cwd: root,
  stdout: 'inherit',
  stderr: 'inherit',
})
const code = await stryker.exited
if (code !== 0 || !existsSync(reportPath)) {
  console.error(`stryker exited with ${code}; docs/mutation.md is unchanged`)
  process.exit(code || 1)
}
const minutes = Math.round((Date.now() - started) / 60_000)

let report = readReport(reportPath)
let run = `Commit ${commit}, ${minutes} minutes.`
if (full?.kvgate) {
  report = mergeRecheck(full, report)
  run = `Full run at commit ${full.kvgate.commit} (${full.kvgate.minutes} minutes); the mutants it left alive run again at commit ${commit} (${minutes} minutes), after tests were added for them.`
} else {
  writeFileSync(fullReportPath, JSON.stringify({ ...report, kvgate: { commit, minutes } }))
}
write(report, run)
