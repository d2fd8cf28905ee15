// The console's files are imported as text (Bun and Deno both support `with { type: 'text' }`), so
// `bun build --compile` embeds them; its browser modules carry the .mjs extension to keep this narrow.
declare module '*.html' {
  const source: string
  export default source
}
declare module '*.css' {
  const source: string
  export default source
}
declare module '*.mjs' {
  const source: string
  export default source
}
