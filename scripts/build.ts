// Compiles kvgate into one executable (dist/kvgate, or the path given), with wasmoon's glue.wasm
// and every dependency inside, so it runs from an empty folder with no node_modules. The modules
// are stored as bytecode too: parsing the bundle at every start cost more than all else a
// `kvgate --help` does (about 40 ms against 15 ms here), for some 6 MB more on disk. Bytecode
// rules out top-level await in the entry's module graph; the build fails if one appears.

import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const outfile = process.argv[2] ?? join(root, 'dist/kvgate')

const build = Bun.spawnSync(
  [
    process.execPath,
    'build',
    '--compile',
    '--minify',
    '--bytecode',
    join(root, 'core/main.ts'),
    '--outfile',
    outfile,
  ],
  { cwd: root, stdout: 'inherit', stderr: 'inherit' },
)
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
console.log(`built ${outfile}`)
