// Serves the web console at /admin/: its embedded files need no token (they hold no data; every
// call the console makes to the admin API carries the token) and each carries a Content-Security-
// Policy that lets the page load only its own files and talk only to its own server.

import { createHash } from 'node:crypto'
import type { Call } from '../http/call.ts'
import type { DialectRouter } from '../http/router.ts'
import { CONSOLE_ASSETS, type ConsoleAsset } from './assets.ts'

/**
 * No inline script or style, no other origin, no framing. form-action 'none': should a form ever be
 * submitted without the console's script (which handles every form), the token typed into the
 * sign-in form must not travel in a URL or anywhere else.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
}

/** Adds the console's routes (GET /admin, /admin/ and each file) to the core router. */
export function consoleRoutes(router: DialectRouter): DialectRouter {
  // Relative, so that the redirect also holds behind a proxy that serves kvgate under a prefix.
  router.get('/admin', () => new Response(null, { status: 308, headers: { location: 'admin/' } }))
  for (const asset of CONSOLE_ASSETS) {
    const answer = answerer(asset)
    router.get(`/admin/${asset.path}`, answer)
  }
  return router
}

function answerer(asset: ConsoleAsset): (call: Call) => Response {
  const etag = `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 27)}"`
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': asset.contentType,
    // Revalidated on every load, so a new kvgate's console is never mixed with an old one's files.
    'cache-control': 'no-cache',
    etag,
  }
  return (call) => {
    if (call.request.headers.get('if-none-match') === etag)
      return new Response(null, { status: 304, headers })
    return new Response(asset.body, { headers })
  }
}
