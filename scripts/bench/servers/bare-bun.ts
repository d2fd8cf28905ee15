// Ceiling: the bare runtime, as its documentation serves a route: Bun.serve's `routes` answering a
// constant 1 KiB body on a route with a path parameter.

const body = 'a'.repeat(1024)
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  development: false,
  routes: {
    '/kv/:key': () => new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  },
  fetch: () => new Response('not found', { status: 404 }),
})
console.log(`listening on ${server.port}`)
