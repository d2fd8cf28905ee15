// The part of newman's Node API these tests use (newman ships no types; @types/newman is not installed).

declare module 'newman' {
  interface RunOptions {
    collection: string | object
    envVar?: Array<{ key: string; value: string }>
    folder?: string | string[]
    reporters?: string[]
    timeoutRequest?: number
  }
  const newman: {
    run(options: RunOptions, callback: (error: Error | null, summary: any) => void): unknown
  }
  export default newman
}
