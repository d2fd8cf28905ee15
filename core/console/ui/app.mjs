// The console's shell: which page the address (#/...) names, the sign-in gate in front of every
// page, and the timers and streams a page leaves running, stopped when another page opens.

import { session, whenTokenRefused } from './api.mjs'
import { fill, notice } from './dom.mjs'
import * as accounts from './pages/accounts.mjs'
import * as apiDocs from './pages/api-docs.mjs'
import * as entry from './pages/entry.mjs'
import * as health from './pages/health.mjs'
import * as keys from './pages/keys.mjs'
import * as namespaces from './pages/namespaces.mjs'
import * as signIn from './pages/sign-in.mjs'

/**
 * What a page gets: where to draw, the route's parts and query, and timers and a signal that stop
 * when it is left.
 * @typedef {{
 *   view: HTMLElement,
 *   parts: string[],
 *   query: URLSearchParams,
 *   every: (ms: number, tick: () => void) => void,
 *   signal: AbortSignal,
 *   isCurrent: () => boolean,
 *   go: (route: string) => void,
 *   reload: () => void,
 * }} PageContext
 * @typedef {{ section: string, render: (page: PageContext) => void | Promise<void> }} Page
 */

/**
 * The page for a route's parts: "#/namespaces/ID/entries/KEY" is ["namespaces", "ID", "entries", "KEY"].
 * @param {string[]} parts
 * @returns {Page | null}
 */
function pageOf(parts) {
  const [section, id, sub] = parts
  if (section === 'accounts' && parts.length === 1) return { section, render: accounts.render }
  if (section === 'health' && parts.length === 1) return { section, render: health.render }
  if (section === 'api' && parts.length <= 2) return { section, render: apiDocs.render }
  if (section === 'namespaces' && parts.length === 1) return { section, render: namespaces.render }
  if (section === 'namespaces' && id && parts.length === 2) return { section, render: keys.render }
  if (section === 'namespaces' && id && sub === 'entries' && parts.length === 4) {
    return { section, render: entry.render }
  }
  return null
}

const view = /** @type {HTMLElement} */ (document.getElementById('view'))
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'))
const signOut = /** @type {HTMLButtonElement} */ (document.getElementById('sign-out'))

/** @type {number[]} */
let timers = []
let generation = 0
/** Aborted when the page is left: its fetches (the live tail's stream) end with it. */
let leaving = new AbortController()

function route() {
  for (const timer of timers) clearInterval(timer)
  timers = []
  leaving.abort()
  leaving = new AbortController()
  const current = ++generation
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?')
  const parts = path.split('/').filter(Boolean)
  const query = new URLSearchParams(search)
  const signedIn = session.token !== null
  nav.hidden = !signedIn
  signOut.hidden = !signedIn
  /** @type {PageContext} */
  const context = {
    view,
    parts,
    query,
    every: (ms, tick) => {
      if (current === generation) timers.push(window.setInterval(tick, ms))
    },
    signal: leaving.signal,
    isCurrent: () => current === generation,
    go: (target) => {
      if (location.hash === target) route()
      else location.hash = target
    },
    reload: () => route(),
  }
  if (!signedIn) {
    highlight('')
    return signIn.render(context)
  }
  if (parts.length === 0) return context.go('#/accounts')
  const page = pageOf(parts)
  highlight(page?.section ?? '')
  if (!page) return fill(view, notice('error', 'There is no such page in the console.'))
  return page.render(context)
}

/** @param {string} section */
function highlight(section) {
  for (const anchor of nav.querySelectorAll('a')) {
    if (anchor.dataset.section === section) anchor.setAttribute('aria-current', 'page')
    else anchor.removeAttribute('aria-current')
  }
}

signOut.addEventListener('click', () => {
  session.signOut()
  route()
})
whenTokenRefused(() => {
  session.signOut()
  signIn.refusedWhileSignedIn()
  route()
})
window.addEventListener('hashchange', route)
route()
