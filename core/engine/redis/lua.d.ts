// Lua scripts are imported as text (Bun and Deno both support `with { type: 'text' }`).
declare module '*.lua' {
  const source: string
  export default source
}
