// Ceiling: the bare runtime. Bun.serve answering a constant 1 KiB body, nothing else.

const body = 'a'.repeat(1024)
const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  development: false,
  fetch: () => new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
})
console.log(`listening on ${server.port}`)
