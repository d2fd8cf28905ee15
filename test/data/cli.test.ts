// `kvgate export` and `kvgate import` as an operator runs them: against a store a running server is
// serving (and writing to) meanwhile, with a one-line JSON summary when not on a terminal, and
// errors in one line.

import { afterAll, expect, test } from 'bun:test'
import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN, childEnv, ROOT, runKvgate, startKvgateChild } from '../support/process.ts'

const dir = mkdtempSync(join(tmpdir(), 'kvgate-data-cli-'))
const serving = join(dir, 'serving.db')

function run(args: string[]) {
  const result = Bun.spawnSync([BUN, join(ROOT, 'core/main.ts'), ...args], {
    env: childEnv({ KVGATE_LOG: 'silent' }),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

/** The same, without blocking this process (whose requests must go on meanwhile). */
const spawn = (args: string[]) => runKvgate(args)

const server = await startKvgateChild({ KVGATE_DATA: serving, KVGATE_LOG: 'silent' })
afterAll(() => server.stop())

test('export while the server writes, then import elsewhere: the same data, and JSON summaries', async () => {
  const bucket = await (
    await fetch(`${server.url}/kvdb/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a@b.c',
    })
  ).text()
  for (let i = 0; i < 200; i++)
    await fetch(`${server.url}/kvdb/${bucket}/k${i}`, { method: 'PUT', body: `v${i}` })
  let writing = true
  let written = 0
  const writer = (async () => {
    for (; writing; written++) {
      await fetch(`${server.url}/kvdb/${bucket}/more${written}`, { method: 'PUT', body: 'x' })
    }
  })()
  const dump = join(dir, 'dump.jsonl')
  const exported = await spawn(['export', '--data', serving, '--out', dump])
  writing = false
  await writer
  // The server kept answering while the export ran (and the export saw none of those writes in part).
  expect(written).toBeGreaterThan(0)
  expect(exported.code).toBe(0)
  const summary = JSON.parse(exported.stdout)
  expect(summary).toMatchObject({ command: 'export', complete: true, namespaces: 1, consistency: 'snapshot' })
  expect(summary.entries).toBeGreaterThanOrEqual(200)
  const lines = readFileSync(dump, 'utf8').trim().split('\n')
  expect(lines).toHaveLength(summary.entries + 4) // header, namespace, end, done

  const target = join(dir, 'target.db')
  const imported = run(['import', dump, '--data', target])
  expect(imported.code).toBe(0)
  expect(JSON.parse(imported.stdout)).toMatchObject({
    command: 'import',
    complete: true,
    entries: summary.entries,
  })
  const again = run(['export', '--data', target])
  expect(again.stdout.trim().split('\n').slice(1)).toEqual(lines.slice(1))
  expect(JSON.parse(again.stderr)).toMatchObject({ command: 'export', entries: summary.entries })

  const rerun = run(['import', dump, '--data', target, '--on-conflict', 'fail'])
  expect(JSON.parse(rerun.stdout)).toMatchObject({ resumed: 1, entries: 0 })
})

test('--out to something other than a regular file (a pipe here) is written in place, never replaced', async () => {
  const fifo = join(dir, 'pipe')
  expect(Bun.spawnSync(['mkfifo', fifo]).exitCode).toBe(0)
  const reader = Bun.spawn(['cat', fifo], { stdout: 'pipe' })
  const exported = await spawn(['export', '--data', serving, '--out', fifo])
  const received = await new Response(reader.stdout).text()
  expect(exported.code).toBe(0)
  expect(received.trim().split('\n').at(-1)).toContain('"type":"done"')
  expect(received.split('\n')[0]).toContain('"format":"kvgate-dump"')
  expect(lstatSync(fifo).isFIFO()).toBe(true)
  expect(existsSync(`${fifo}.partial`)).toBe(false)
})

test('bad input: one line on stderr and a non-zero exit', () => {
  const newer = join(dir, 'newer.jsonl')
  writeFileSync(newer, `${JSON.stringify({ format: 'kvgate-dump', version: 9, id: 'n', created: 1 })}\n`)
  const refused = run(['import', newer, '--data', join(dir, 'x.db')])
  expect(refused.code).not.toBe(0)
  expect(refused.stderr.trim()).toMatch(
    /^kvgate: this dump is format version 9; kvgate \S+ reads format version 1/,
  )
  const policy = run(['import', newer, '--on-conflict', 'maybe', '--data', join(dir, 'x.db')])
  expect(policy.stderr).toStartWith('kvgate: --on-conflict must be skip, overwrite or fail')
  const missing = run(['import', join(dir, 'nope.jsonl'), '--data', join(dir, 'x.db')])
  expect(missing.stderr).toStartWith('kvgate: cannot read')
  const unknown = run([
    'export',
    '--namespace',
    'nope',
    '--data',
    join(dir, 'x.db'),
    '--out',
    join(dir, 'none.jsonl'),
  ])
  expect([unknown.code, unknown.stderr]).toEqual([1, 'kvgate: namespace nope not found\n'])
  expect(existsSync(join(dir, 'none.jsonl.partial'))).toBe(false)
  const notDump = join(dir, 'not.jsonl')
  writeFileSync(notDump, '{"hello":1}\n')
  expect(run(['import', notDump, '--data', join(dir, 'x.db')]).stderr).toStartWith(
    'kvgate: line 1: not a kvgate dump',
  )
})
