// The core's floor: kvgate's server, engine and operator accounts exactly as `kvgate serve` builds
// them, with only the tests' echo dialect mounted (bearer account check, one engine call, raw body).
// What a real dialect costs beyond this is that dialect's own work.

import { loadConfig } from '../../../core/config.ts'
import { createKvgate } from '../../../core/kvgate.ts'
import { echoDialect } from '../../../test/support/echo-dialect.ts'

const config = loadConfig({ env: process.env, argv: process.argv.slice(2), dialects: [echoDialect] })
const kvgate = createKvgate(config, [echoDialect])
const listener = kvgate.server.listen({ port: config.port, hostname: config.host })
console.log(`listening on ${listener.port}`)
// A plain exit on SIGTERM, so `bun --cpu-prof` writes its profile (idle keep-alive connections
// would hold up a graceful stop).
process.on('SIGTERM', () => setTimeout(() => process.exit(0), 0))
