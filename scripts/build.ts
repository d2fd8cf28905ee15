// Compiles kvgate into one executable (dist/kvgate, or the path given), with wasmoon's glue.wasm
// and every dependency inside, so it runs from an empty folder with no node_modules.

import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const outfile = process.argv[2] ?? join(root, 'dist/kvgate')

const build = Bun.spawnSync(
  [process.execPath, 'build', '--compile', '--minify', join(root, 'core/main.ts'), '--outfile', outfile],
  { cwd: root, stdout: 'inherit', stderr: 'inherit' },
)
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
console.log(`built ${outfile}`)
