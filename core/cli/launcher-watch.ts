// Stops kvgate when the npm or npx that started it is gone. npm and npx run a command through
// `sh -c`, and a signal sent to npm ends that shell, not kvgate: left alone, kvgate would go on
// serving, reparented to PID 1. `npm start` execs into kvgate, so there npm passes signals on itself;
// this also covers `npx deno run ...`, a launcher killed outright, and shells without exec.

/** Calls `handler` once the parent process changes, when an npm script or npx started this one. */
export function onLauncherExit(
  env: Record<string, string | undefined>,
  handler: () => void,
  intervalMs = 250,
): void {
  // npm sets npm_lifecycle_event for `npm run`, `npm start` and `npx` alike.
  if (!env.npm_lifecycle_event) return
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    handler()
  }, intervalMs)
  // The watch must never keep a process alive on its own.
  ;(timer as { unref?: () => void }).unref?.()
}
