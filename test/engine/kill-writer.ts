// Child process of the process-kill test: writes keys through the engine, many at a time, and
// prints "ack <n>" the moment each write is acknowledged. The parent kills it with SIGKILL.

import { utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'

const engine = new Engine(openBackend({ type: 'sqlite', path: process.argv[2]!, synchronous: 'normal' }), {
  sweepIntervalMs: 0,
})
let next = 0
const writer = async () => {
  for (;;) {
    const n = next++
    await engine.put('crash', utf8(`key-${n}`), { bytes: utf8(`value-${n}`) })
    process.stdout.write(`ack ${n}\n`)
  }
}
await Promise.all(Array.from({ length: 32 }, writer))
