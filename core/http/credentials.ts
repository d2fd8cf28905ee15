// Where credentials travel, read the same way for every dialect: the Authorization header's scheme
// and value, a Bearer token, a Basic user name. Which carriers a dialect accepts, and what a
// missing or wrong one answers, stays the dialect's.

export interface Authorization {
  /** Lower-cased: "bearer", "basic", ... */
  scheme: string
  /** Everything after the scheme, trimmed ('' when absent). */
  value: string
}

/** The Authorization header split into scheme and value, or null when it is absent or blank. */
export function authorizationOf(request: Request): Authorization | null {
  const raw = request.headers.get('authorization')
  if (raw === null) return null
  // The common spelling first: it costs one comparison instead of a search and two lower-casings.
  if (raw.startsWith('Bearer ')) return { scheme: 'bearer', value: raw.slice(7).trim() }
  const header = raw.trim()
  if (!header) return null
  const space = header.search(/[ \t]/)
  if (space === -1) return { scheme: header.toLowerCase(), value: '' }
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() }
}

/** The token of "Authorization: Bearer <token>" (one token, no spaces in it), else null. */
export function bearerToken(request: Request): string | null {
  const authorization = authorizationOf(request)
  if (authorization?.scheme !== 'bearer' || !ONE_TOKEN.test(authorization.value)) return null
  return authorization.value
}

const ONE_TOKEN = /^\S+$/

/** The user name of a Basic credential ("user:password", base64), or null when it is not one. */
export function basicUserName(encoded: string): string | null {
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)),
    )
  } catch {
    return null
  }
  const colon = decoded.indexOf(':')
  return colon === -1 ? decoded : decoded.slice(0, colon)
}
