// What each command loads before it runs: the modules reached from its entry through static
// imports (what a dynamic import brings in waits until the code asking for it runs).

import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { dirname, join, relative as relativeTo, resolve } from 'node:path'
import { ROOT } from '../support/process.ts'

const transpiler = new Bun.Transpiler({ loader: 'ts' })

/** Every file and package reached from `entries` through static imports (type-only ones excluded). */
function staticGraph(...entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    if (!file.endsWith('.ts')) return
    const source = readFileSync(file, 'utf8').replace(/^#!.*/, '')
    for (const { path, kind } of transpiler.scanImports(source)) {
      if (kind !== 'import-statement') continue
      if (path.startsWith('.')) visit(resolve(dirname(file), path))
      else packages.add(path)
    }
  }
  for (const entry of entries) visit(join(ROOT, entry))
  return { files, packages }
}

const relative = (files: Set<string>) => [...files].map((file) => relativeTo(ROOT, file))

describe('start-up loads only what the command needs', () => {
  test('the command itself (kvgate --help, kvgate version) loads its dispatch and nothing else', () => {
    const { files, packages } = staticGraph('core/main.ts')
    expect(relative(files).sort()).toEqual(['core/cli/fail.ts', 'core/main.ts'])
    expect([...packages]).toEqual([])
  })

  test('admin and data commands build no server: no Elysia, no prom-client, no Lua, no Redis client up front', () => {
    const { files, packages } = staticGraph('core/cli/admin.ts', 'core/cli/data.ts', 'plugins/index.ts')
    expect([...packages].filter((name) => !name.startsWith('node:')).sort()).toEqual([
      'fastest-levenshtein',
      'valibot',
    ])
    expect(relative(files)).not.toContain('core/server.ts')
    expect(relative(files)).not.toContain('core/kvgate.ts')
  })

  test('selftest and healthcheck build no server either', () => {
    for (const entry of ['core/cli/selftest.ts', 'core/cli/healthcheck.ts']) {
      const { files, packages } = staticGraph(entry, 'plugins/index.ts')
      expect([...packages]).not.toContain('elysia')
      expect(relative(files)).not.toContain('core/server.ts')
    }
  })

  test('the server loads Elysia, but no Redis client, Lua runtime or prom-client until they are used', () => {
    const { files, packages } = staticGraph('core/cli/serve.ts')
    expect([...packages]).toContain('elysia')
    for (const lazy of ['ioredis', 'wasmoon', 'prom-client']) expect([...packages]).not.toContain(lazy)
    expect(relative(files)).not.toContain('core/engine/redis/backend.ts')
    expect(relative(files)).not.toContain('core/metrics-registry.ts')
    // node:net alone costs Bun about 25 ms to load.
    expect([...packages]).not.toContain('node:net')
  })
})

describe('commands that print and exit', () => {
  const kvgate = (...args: string[]) => {
    const result = Bun.spawnSync([process.execPath, join(ROOT, 'core/main.ts'), ...args], {
      cwd: ROOT,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() }
  }

  test('kvgate --help prints the usage', () => {
    const { code, out } = kvgate('--help')
    expect(code).toBe(0)
    expect(out).toStartWith('usage:\n  kvgate [serve]')
    expect(out).toContain('kvgate version')
  })

  test('kvgate version prints the version and the runtime', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    const { code, out } = kvgate('version')
    expect(code).toBe(0)
    expect(out).toBe(`kvgate ${version} (bun/${Bun.version})\n`)
  })

  test('an unknown command is one line of usage error, and an unknown flag to serve is a config error', () => {
    const unknown = kvgate('frobnicate')
    expect(unknown.code).toBe(1)
    expect(unknown.err).toStartWith('kvgate: unknown command "frobnicate"')
    const flag = kvgate('--prot', '1')
    expect(flag.code).toBe(1)
    expect(flag.err).toContain('did you mean --port?')
  })
})
