// The key browser of one namespace: keys in byte order, found by prefix, a page at a time, each
// with its size, kind, version, expiry (counting down) and metadata; and, with "Live", a tail of
// the changes made to them (live-tail.mjs).

import { api } from '../api.mjs'
import { base64Bytes, percentEncode, utf8Bytes } from '../bytes.mjs'
import { actionButton, field, fill, h, link, notice, table, wrappingLink } from '../dom.mjs'
import { formatExpiry, formatSize, formatTime, timeOf } from '../format.mjs'
import { liveTail } from './live-tail.mjs'

const PAGE_SIZE = 50

/**
 * The console's address of an entry.
 * @param {string} namespaceId
 * @param {Uint8Array} key
 */
export const entryRoute = (namespaceId, key) =>
  `#/namespaces/${encodeURIComponent(namespaceId)}/entries/${percentEncode(key)}`

/**
 * @param {HTMLElement} root
 * @param {number} [now]
 */
export function updateCountdowns(root, now = Date.now()) {
  for (const element of root.querySelectorAll('[data-expires]')) {
    const expiresAt = Number(/** @type {HTMLElement} */ (element).dataset.expires)
    element.textContent = formatExpiry(expiresAt, now)
    element.classList.toggle('expired', expiresAt <= now)
  }
}

/**
 * An expiry that counts down while the page is open.
 * @param {string | number | null} expiresAt
 */
export function expiryCell(expiresAt) {
  const time = timeOf(expiresAt)
  if (time === null) return h('span.muted', null, 'never')
  return h(
    'span.countdown',
    { 'data-expires': String(time), title: new Date(time).toISOString() },
    formatExpiry(time),
  )
}

/** @param {import('../app.mjs').PageContext} page */
export async function render(page) {
  const id = decodeURIComponent(page.parts[1] ?? '')
  const prefix = page.query.get('prefix') ?? ''
  const message = h('div.message')
  const summary = h('p.summary')
  const list = h('div.list', null, h('p.empty', null, 'Loading…'))
  const pager = h('div.pager')
  /** @param {unknown} error */
  const report = (error) =>
    fill(message, notice('error', String(error instanceof Error ? error.message : error)))
  /** @type {Array<string | null>} */
  const earlier = []
  /** @type {string | null} */
  let cursor = null

  /** @param {string | null} at */
  const load = async (at) => {
    const { keys, cursor: next } = await api.keys(id, { prefix, cursor: at, limit: PAGE_SIZE })
    if (!page.isCurrent()) return
    cursor = at
    fill(
      list,
      table(
        ['Key', 'Size', 'Kind', 'Version', 'Expires', 'Metadata'],
        keys.map((row) => {
          const bytes = row.encoding === 'base64' ? base64Bytes(row.key) : utf8Bytes(row.key)
          return [
            wrappingLink(
              entryRoute(id, bytes),
              row.encoding === 'base64'
                ? h('span.binary', { title: 'not UTF-8: shown as base64' }, row.key)
                : row.key,
            ),
            formatSize(row.size),
            row.kind,
            String(row.version),
            expiryCell(row.expires_at),
            row.metadata === null || row.metadata === undefined
              ? ''
              : h('code.metadata', null, JSON.stringify(row.metadata)),
          ]
        }),
        prefix ? `No key starts with "${prefix}".` : 'This namespace holds no keys.',
      ),
    )
    fill(
      pager,
      earlier.length > 0 && actionButton('← Previous', () => load(earlier.pop() ?? null), { report }),
      next &&
        actionButton(
          'Next →',
          async () => {
            earlier.push(cursor)
            await load(next)
          },
          { report },
        ),
    )
  }

  const live = liveTail(page, id, prefix, entryRoute, report)
  const search = /** @type {HTMLInputElement} */ (
    h('input', { type: 'search', name: 'prefix', value: prefix, placeholder: 'key prefix' })
  )
  const searchForm = h(
    'form.inline',
    {
      method: 'post',
      role: 'search',
      onsubmit: (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        const query = new URLSearchParams()
        if (search.value) query.set('prefix', search.value)
        // A running tail carries on under the new prefix.
        if (live.toggle.getAttribute('aria-pressed') === 'true') query.set('live', '1')
        page.go(`#/namespaces/${encodeURIComponent(id)}${query.size > 0 ? `?${query}` : ''}`)
      },
    },
    field('Prefix', search),
    h('button.primary', { type: 'submit' }, 'Search'),
  )
  const newKey = /** @type {HTMLInputElement} */ (
    h('input', { name: 'key', required: true, placeholder: 'new key' })
  )
  const newForm = h(
    'form.inline',
    {
      method: 'post',
      onsubmit: (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        page.go(entryRoute(id, utf8Bytes(newKey.value)))
      },
    },
    field('Key', newKey),
    h('button', { type: 'submit' }, 'New entry'),
  )

  fill(
    page.view,
    h('p.crumbs', null, link('#/namespaces', 'Namespaces'), ' › ', h('span#namespace-title', null, id)),
    h('h1', null, 'Keys'),
    summary,
    h('div.toolbar', null, searchForm, h('div.actions', null, newForm, live.toggle)),
    message,
    live.panel,
    list,
    pager,
  )
  page.every(1000, () => updateCountdowns(list))
  api
    .namespace(id)
    .then((namespace) => {
      const title = document.getElementById('namespace-title')
      if (title) title.textContent = namespace.title || namespace.id
      fill(
        summary,
        h('strong', null, namespace.dialect),
        ' namespace ',
        h('code', null, namespace.id),
        namespace.owner ? [' · owner ', h('code', null, namespace.owner)] : ' · no owner',
        namespace.keys === null || namespace.keys === undefined ? '' : ` · ${namespace.keys} keys`,
        ` · created ${formatTime(namespace.created_at)}`,
      )
    })
    .catch(report)
  await load(null).catch(report)
}
