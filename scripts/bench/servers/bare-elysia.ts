// Ceiling: the framework kvgate is built on. A bare Elysia app answering a constant 1 KiB body on a
// route with a path parameter, as a key read has, and served the way kvgate serves (Bun.serve).

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
