// The key browser's live tail: the namespace's changes as they happen (the admin watch feed, under
// the page's prefix), newest first, the last MAX_ROWS kept. It runs while "Live" is on and stops
// when the page is left; "live=1" in the page's address brings it back on a return.

import { api } from '../api.mjs'
import { base64Bytes, utf8Bytes } from '../bytes.mjs'
import { h, tableHead, wrappingLink } from '../dom.mjs'

export const MAX_ROWS = 100

/**
 * @param {import('../app.mjs').PageContext} page
 * @param {string} id the namespace
 * @param {string} prefix
 * @param {(namespaceId: string, key: Uint8Array) => string} entryRoute
 * @param {(error: unknown) => void} report
 */
export function liveTail(page, id, prefix, entryRoute, report) {
  const state = h('span#live-state.muted')
  const rows = h('tbody')
  const empty = h('p.empty', null, 'No change yet.')
  const panel = h(
    'section.card#live-tail',
    { hidden: true, 'aria-live': 'polite' },
    h('h2', null, 'Live changes ', state),
    empty,
    h('table', null, tableHead(['Time', 'Event', 'Key', 'Version']), rows),
  )
  /** @type {AbortController | null} */
  let running = null

  /** @param {import('../api.mjs').Change} change */
  const show = (change) => {
    const { data } = change
    const key =
      change.type === 'reset'
        ? h('span.muted', null, 'earlier changes are no longer kept: the keys above may be out of date')
        : wrappingLink(
            entryRoute(id, data.key_encoding === 'base64' ? base64Bytes(data.key) : utf8Bytes(data.key)),
            data.key_encoding === 'base64'
              ? h('span.binary', { title: 'not UTF-8: shown as base64' }, data.key)
              : data.key,
          )
    const cells = [
      new Date().toLocaleTimeString(),
      h(`span.event.${change.type}`, null, change.type),
      key,
      data.version === null || data.version === undefined ? '' : String(data.version),
    ]
    rows.prepend(
      h(
        'tr',
        { 'data-revision': String(change.revision) },
        cells.map((cell) => h('td', null, cell)),
      ),
    )
    while (rows.children.length > MAX_ROWS) rows.lastElementChild?.remove()
    empty.hidden = true
  }

  const start = () => {
    const stop = new AbortController()
    running = stop
    const leave = () => stop.abort()
    page.signal.addEventListener('abort', leave, { once: true })
    stop.signal.addEventListener('abort', () => page.signal.removeEventListener('abort', leave))
    state.textContent = '· connecting…'
    api
      .watch(id, {
        prefix,
        signal: stop.signal,
        onChange: show,
        onState: (now, detail) => {
          state.textContent = now === 'live' ? '· live' : `· reconnecting: ${detail}`
        },
      })
      .catch((error) => {
        if (running !== stop) return
        report(error)
        switchTo(false)
      })
  }

  /** @param {boolean} on */
  const switchTo = (on) => {
    toggle.setAttribute('aria-pressed', String(on))
    panel.hidden = !on
    if (on && !running) start()
    if (!on) {
      running?.abort()
      running = null
      state.textContent = ''
    }
    // Remembered in the address (no new history entry), so Back from an entry reopens the tail.
    const query = new URLSearchParams(page.query)
    if (on) query.set('live', '1')
    else query.delete('live')
    const route = `#/namespaces/${encodeURIComponent(id)}${query.size > 0 ? `?${query}` : ''}`
    if (page.isCurrent() && location.hash !== route) history.replaceState(null, '', route)
  }

  const toggle = h(
    'button#live-toggle',
    {
      type: 'button',
      'aria-pressed': 'false',
      title: 'Show changes to these keys as they happen',
      onclick: () => switchTo(toggle.getAttribute('aria-pressed') !== 'true'),
    },
    'Live',
  )
  if (page.query.get('live') === '1') switchTo(true)
  return { toggle, panel }
}
