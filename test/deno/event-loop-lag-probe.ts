// Run by deno.test.ts under Deno: blocks the event loop for 400 ms between two quiet moments and
// prints kvgate's metrics, whose lag histogram must have seen it.

import { Metrics } from '../../core/metrics.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const metrics = new Metrics()
await sleep(250)
const until = performance.now() + 400
while (performance.now() < until) {}
await sleep(250)
process.stdout.write(await metrics.text())
metrics.close()
