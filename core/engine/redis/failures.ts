// What kvgate says when Redis fails, in its own words: which Redis, and what happened to it (a
// connection refused, a host not found, a refusal by Redis itself), for logs, /healthz and the
// 503s that show a message. ioredis's own texts name its options and internals; none gets through.

/** Refusals by Redis itself (the first word of its reply): it answered, but cannot serve now. */
const REFUSALS: Record<string, string> = {
  NOAUTH: 'asks for a password (NOAUTH): set REDIS_PASSWORD, or put it in REDIS_URL',
  WRONGPASS: 'refused the password (WRONGPASS)',
  NOPERM: 'refused a command to this user (NOPERM)',
  LOADING: 'is loading its data (LOADING)',
  BUSY: 'is busy running a script (BUSY)',
  OOM: 'is out of memory (OOM)',
  READONLY: 'is a read-only replica, not the master (READONLY)',
  MASTERDOWN: 'is a replica that lost its master (MASTERDOWN)',
  NOREPLICAS: 'has too few replicas to accept writes (NOREPLICAS)',
  CLUSTERDOWN: 'is down (CLUSTERDOWN)',
  TRYAGAIN: 'is moving the slot of the key (TRYAGAIN)',
  MOVED: 'is moving the slot of the key (MOVED)',
  ASK: 'is moving the slot of the key (ASK)',
}

/** What a failed connection's system error code means. */
const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the network',
  EHOSTDOWN: 'host down',
  EAI_AGAIN: 'host name could not be looked up',
  ENOTFOUND: 'host name not found',
}

/** ioredis's texts of a failed connection, each in kvgate's words. */
const CONNECTION_TEXTS: Array<[RegExp, string]> = [
  [/All sentinels are unreachable/, 'no sentinel answers'],
  [/None of startup nodes is available|Failed to refresh slots cache/, 'no node answers'],
  [/Cluster isn't ready/, 'the cluster is not ready'],
  [/connect ETIMEDOUT|Command timed out/, 'connection timed out'],
  [/max retries per request|Connection is closed|Stream isn't writeable/, 'connection lost'],
]

/** The reply codes that mean Redis cannot serve now (or with these credentials): unavailable, not a bug. */
export const UNAVAILABLE_REPLIES = new Set(Object.keys(REFUSALS))

/** The first word of a Redis error reply, such as READONLY. */
export const replyCode = (message: string): string => /^[A-Z]+/.exec(message)?.[0] ?? ''

/**
 * Why `target` failed an operation: `error` is what the operation failed with, `connectionError`
 * the last error of the connection (null when it is up), `sentinelError` the last complaint about
 * a sentinel (null when none).
 */
export function failureText(
  target: string,
  error: unknown,
  connectionError: Error | null,
  sentinelError: Error | null = null,
): string {
  for (const candidate of [error, connectionError]) {
    const refusal = REFUSALS[replyCode((candidate as Error | null)?.message ?? '')]
    if (refusal && (candidate as Error).name === 'ReplyError') return `${target} ${refusal}`
  }
  return `${target} is unreachable (${cause(target, error as Error | null, connectionError, sentinelError)})`
}

/** An operation still in flight at its deadline; with the connection down, why it is. */
export function timeoutText(
  target: string,
  timeoutMs: number,
  connectionError: Error | null,
  sentinelError: Error | null = null,
): string {
  const down = connectionError ? ` (${cause(target, null, connectionError, sentinelError)})` : ''
  return `${target} did not answer within ${timeoutMs} ms${down}`
}

/** Why an operation could not reach Redis, from the most telling error there is. */
function cause(
  target: string,
  error: Error | null,
  connectionError: Error | null,
  sentinelError: Error | null,
): string {
  for (const candidate of [connectionError, error]) {
    const code = (candidate as { code?: string } | null)?.code
    if (code && CAUSES[code]) return `${CAUSES[code]}${place(candidate, target)}`
  }
  // Sentinels that answer without naming a master: the name is wrong, or no sentinel has one yet.
  if (sentinelError && /No such master|invalid reply/.test(sentinelError.message)) {
    return 'no sentinel names a master by that name'
  }
  for (const candidate of [connectionError, error]) {
    const text = candidate?.message ?? ''
    const known = CONNECTION_TEXTS.find(([pattern]) => pattern.test(text))
    if (known) return known[1]
  }
  return ((error ?? connectionError)?.message ?? 'no answer').slice(0, 200)
}

/** " at host:port" of a system error, where the target's name does not say it (a Sentinel master, a node). */
function place(error: unknown, target: string): string {
  const { address, port } = (error ?? {}) as { address?: string; port?: number }
  if (!address || !port || target.includes(`${address}:${port}`)) return ''
  return ` at ${address}:${port}`
}
