// Bun only: embeds wasmoon's glue.wasm in `bun build --compile` output and gives its path.

// @ts-expect-error Bun's file import yields a path string, which TypeScript cannot know.
import glueWasm from 'wasmoon/dist/glue.wasm' with { type: 'file' }

export const glueWasmPath: string = glueWasm
