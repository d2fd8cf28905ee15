// Child process of the durability test, run with a file size limit the database cannot grow past.
// It sends one group of writes too large to commit, then one small write, and prints what each got
// and which of the large ones it can read back afterwards, as one JSON line.

import { fromUtf8, utf8 } from '../../core/engine/bytes.ts'
import { Engine } from '../../core/engine/engine.ts'
import { openBackend } from '../../core/engine/store.ts'

const [path, count, valueBytes] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])]
const engine = new Engine(openBackend({ type: 'sqlite', path, synchronous: 'normal' }), {
  sweepIntervalMs: 0,
})
const value = new Uint8Array(valueBytes).fill(0x61)

// Sent within one turn of the event loop, so they share one transaction and one COMMIT.
const group = await Promise.allSettled(
  Array.from({ length: count }, (_, n) => engine.put('disk', utf8(`big-${n}`), { bytes: value })),
)
const readable: string[] = []
for (let n = 0; n < count; n++) {
  if (await engine.get('disk', utf8(`big-${n}`))) readable.push(`big-${n}`)
}
const after = await engine.put('disk', utf8('after'), { bytes: utf8('small') }).then(
  () => 'ok',
  (error) => String(error),
)
const afterValue = await engine.get('disk', utf8('after'))
process.stdout.write(
  `${JSON.stringify({
    group: group.map((outcome) => (outcome.status === 'fulfilled' ? 'acknowledged' : String(outcome.reason))),
    readable,
    after,
    afterValue: afterValue && fromUtf8(afterValue.value),
  })}\n`,
)
await engine.close()
