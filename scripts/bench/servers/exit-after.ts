// Runs another entry point and exits after BENCH_EXIT_AFTER_MS, so that `bun --cpu-prof` writes its
// profile (a signal-triggered exit of a busy server does not always get it written).
//   bun --cpu-prof-md scripts/bench/servers/exit-after.ts core/main.ts --port 8787

const entry = process.argv[2]
if (!entry) throw new Error('usage: exit-after.ts ENTRY [ARGS...]')
// The entry sees its own arguments where it expects them.
process.argv.splice(1, 2, entry)
setTimeout(() => process.exit(0), Number(process.env.BENCH_EXIT_AFTER_MS ?? 10_000))
await import(entry)

export {}
