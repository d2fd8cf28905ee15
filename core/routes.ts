// Where each dialect answers: a path prefix, a Host name, or both (KVGATE_ROUTES).
//   KVGATE_ROUTES="kvdb=/kvdb|kvdb.example.com,lightkv=api.lightkv.local/v1"

export interface Mount {
  dialect: string
  /** Lower-case host name the mount answers on, or null for any host. */
  host: string | null
  /** Path prefix without a trailing slash; '' mounts at the root. */
  prefix: string
}

export class RouteSpecError extends Error {}

/** Paths the core itself answers on every host. */
export const CORE_PATHS = ['/healthz', '/metrics', '/admin']

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/

/** Parses one route: "/prefix", "host", or "host/prefix". */
export function parseRoute(dialect: string, route: string): Mount {
  const slash = route.indexOf('/')
  const host = slash === 0 ? null : (slash === -1 ? route : route.slice(0, slash)).toLowerCase()
  const prefix = slash === -1 ? '' : route.slice(slash).replace(/\/+$/, '')
  if (host !== null && !HOST.test(host))
    throw new RouteSpecError(`"${route}" is not a valid host name for ${dialect}`)
  if (!PREFIX.test(prefix)) throw new RouteSpecError(`"${route}" is not a valid path prefix for ${dialect}`)
  if (host === null && prefix === '') {
    throw new RouteSpecError(`${dialect} cannot take the whole root path without a host name`)
  }
  const clash = CORE_PATHS.find((path) => prefix === path || prefix.startsWith(`${path}/`))
  if (clash)
    throw new RouteSpecError(`${dialect} cannot be mounted at ${prefix}: kvgate answers ${clash} itself`)
  return { dialect, host, prefix }
}

/**
 * The mounts of the enabled dialects: each at its default prefix unless the spec routes it elsewhere.
 * Unknown dialects and two dialects on the same host and prefix are errors.
 */
export function resolveMounts(spec: string, enabled: string[], defaults: Record<string, string>): Mount[] {
  const routed = new Map<string, Mount[]>()
  for (const item of spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const equals = item.indexOf('=')
    const dialect = item.slice(0, equals).trim()
    if (equals <= 0 || !(dialect in defaults)) {
      throw new RouteSpecError(
        `unknown dialect "${equals <= 0 ? item : dialect}" in routes (known: ${Object.keys(defaults).join(', ')})`,
      )
    }
    const routes = item
      .slice(equals + 1)
      .split('|')
      .map((route) => route.trim())
      .filter(Boolean)
    if (routes.length === 0) throw new RouteSpecError(`no route given for ${dialect}`)
    routed.set(
      dialect,
      routes.map((route) => parseRoute(dialect, route)),
    )
  }
  const mounts = enabled.flatMap(
    (dialect) => routed.get(dialect) ?? [parseRoute(dialect, defaults[dialect]!)],
  )
  const seen = new Map<string, string>()
  for (const mount of mounts) {
    const where = `${mount.host ?? '*'}${mount.prefix || '/'}`
    const other = seen.get(where)
    if (other) throw new RouteSpecError(`${other} and ${mount.dialect} both claim ${where}`)
    seen.set(where, mount.dialect)
  }
  return mounts
}
