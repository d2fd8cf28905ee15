// Where each setting came from (a flag, an environment variable, the config file), so an error names
// the place to fix; the refusal of names kvgate does not know, with the closest one it does; and
// the masking of secrets, which no error repeats.

import { readFileSync } from 'node:fs'
import { distance } from 'fastest-levenshtein'

export class ConfigError extends Error {}

export type Origin =
  | { kind: 'flag'; flag: string }
  | { kind: 'env'; variable: string }
  | { kind: 'file'; path: string; key: string }

/** How an error names the place a value came from. */
export function originName(origin: Origin): string {
  switch (origin.kind) {
    case 'flag':
      return `--${origin.flag}`
    case 'env':
      return origin.variable
    case 'file':
      return `"${origin.key}" in config file ${origin.path}`
  }
}

/** ` (did you mean X?)` with the known name closest to `given`; case, `-` and `_` do not count. */
export function didYouMean(given: string, known: readonly string[], quote = (name: string) => name): string {
  const plain = (name: string) => name.toLowerCase().replace(/[-_]/g, '')
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const d = distance(plain(given), plain(name))
    if (d < bestDistance) [best, bestDistance] = [name, d]
  }
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`
}

/** The JSON object in the config file; {} without one. */
export function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`)
  }
  if (!isPlainObject(parsed)) throw new ConfigError(`config file ${path}: must hold a JSON object`)
  return parsed
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Refuses a key of the config file (or of one of its objects) that is not among `known`. */
export function checkKeys(
  object: Record<string, unknown>,
  known: readonly string[],
  where: { path: string; parent?: string },
): void {
  const qualified = (key: string) => (where.parent ? `${where.parent}.${key}` : key)
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue
    const hint = didYouMean(key, known, (name) => `"${qualified(name)}"`)
    throw new ConfigError(`config file ${where.path}: unknown setting "${qualified(key)}"${hint}`)
  }
}

/**
 * Refuses a KVGATE_* variable that names no setting: a typo would otherwise be ignored in silence.
 * Empty ones are skipped, as an empty variable counts as unset everywhere else.
 */
export function checkVariables(env: Record<string, string | undefined>, known: ReadonlySet<string>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KVGATE_') || !value || known.has(name)) continue
    throw new ConfigError(`unknown variable ${name}${didYouMean(name, [...known])}`)
  }
}

/** Settings whose values are never repeated in an error. */
const SECRET = new Set(['adminToken', 'redisPassword', 'redisSentinelPassword'])

/** A value as an error may quote it: secrets left out, a password in a URL masked. */
export function quotable(setting: string, value: unknown): string | null {
  if (SECRET.has(setting)) return null
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return JSON.stringify(redactUrl(value))
  return JSON.stringify(value)
}

/** A URL with its password masked; a lone user part too, as some clients read it as the password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':')
    return colon === -1 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`
  })
}
