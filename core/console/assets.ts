// The web console's files, imported as text so that `bun build --compile` embeds them in the
// binary; each is served at /admin/<path> (index.html at /admin/ itself).

import api from './ui/api.mjs' with { type: 'text' }
import app from './ui/app.mjs' with { type: 'text' }
import bytes from './ui/bytes.mjs' with { type: 'text' }
import css from './ui/console.css' with { type: 'text' }
import dom from './ui/dom.mjs' with { type: 'text' }
import format from './ui/format.mjs' with { type: 'text' }
import index from './ui/index.html' with { type: 'text' }
import accountsPage from './ui/pages/accounts.mjs' with { type: 'text' }
import apiDocsPage from './ui/pages/api-docs.mjs' with { type: 'text' }
import entryPage from './ui/pages/entry.mjs' with { type: 'text' }
import healthPage from './ui/pages/health.mjs' with { type: 'text' }
import keysPage from './ui/pages/keys.mjs' with { type: 'text' }
import liveTailPage from './ui/pages/live-tail.mjs' with { type: 'text' }
import namespacesPage from './ui/pages/namespaces.mjs' with { type: 'text' }
import signInPage from './ui/pages/sign-in.mjs' with { type: 'text' }
import sse from './ui/sse.mjs' with { type: 'text' }

export interface ConsoleAsset {
  /** Below /admin/; '' is the page itself. */
  path: string
  body: string
  contentType: string
}

const HTML = 'text/html; charset=utf-8'
const JAVASCRIPT = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'

export const CONSOLE_ASSETS: ConsoleAsset[] = [
  // Bun's types take every .html import for an HTML bundle; imported as text, it is the text.
  { path: '', body: index as unknown as string, contentType: HTML },
  { path: 'console.css', body: css, contentType: CSS },
  { path: 'app.mjs', body: app, contentType: JAVASCRIPT },
  { path: 'api.mjs', body: api, contentType: JAVASCRIPT },
  { path: 'bytes.mjs', body: bytes, contentType: JAVASCRIPT },
  { path: 'dom.mjs', body: dom, contentType: JAVASCRIPT },
  { path: 'format.mjs', body: format, contentType: JAVASCRIPT },
  { path: 'sse.mjs', body: sse, contentType: JAVASCRIPT },
  { path: 'pages/sign-in.mjs', body: signInPage, contentType: JAVASCRIPT },
  { path: 'pages/accounts.mjs', body: accountsPage, contentType: JAVASCRIPT },
  { path: 'pages/api-docs.mjs', body: apiDocsPage, contentType: JAVASCRIPT },
  { path: 'pages/namespaces.mjs', body: namespacesPage, contentType: JAVASCRIPT },
  { path: 'pages/keys.mjs', body: keysPage, contentType: JAVASCRIPT },
  { path: 'pages/live-tail.mjs', body: liveTailPage, contentType: JAVASCRIPT },
  { path: 'pages/entry.mjs', body: entryPage, contentType: JAVASCRIPT },
  { path: 'pages/health.mjs', body: healthPage, contentType: JAVASCRIPT },
]
