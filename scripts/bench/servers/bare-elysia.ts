// Ceiling: the framework kvgate is built on, served the way its documentation serves it
// (`app.listen`, so Bun's native router routes): a constant 1 KiB body on a route with a path
// parameter, as a key read has.

import { Elysia } from 'elysia'

const body = 'a'.repeat(1024)
new Elysia()
  .get('/kv/:key', () => new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }))
  .listen({ port: Number(process.env.PORT), hostname: '127.0.0.1', development: false }, (server) =>
    console.log(`listening on ${server.port}`),
  )
