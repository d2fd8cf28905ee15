// A third, labelled line beside the ceilings: the same Elysia app handed every request through
// `app.handle` from a plain Bun.serve, as kvgate served before it let Elysia own the listener.

import { Elysia } from 'elysia'

const body = 'a'.repeat(1024)
const app = new Elysia().get(
  '/kv/:key',
  () => new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
)
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  development: false,
  fetch: (request) => app.handle(request),
})
console.log(`listening on ${server.port}`)
