// Namespaces of every dialect (KVdb and CloudKV buckets, Workers KV namespaces, LightKV apps,
// RocketStack accounts), by dialect and owner, a page at a time.

import { api, DIALECTS } from '../api.mjs'
import { actionButton, fill, h, link, notice, table, wrappingLink } from '../dom.mjs'
import { formatTime } from '../format.mjs'

const PAGE_SIZE = 50

/** @param {import('../app.mjs').PageContext} page */
export async function render(page) {
  const dialect = page.query.get('dialect')
  const account = page.query.get('account')
  const message = h('div.message')
  const list = h('div.list', null, h('p.empty', null, 'Loading…'))
  const pager = h('div.pager')
  /** @param {unknown} error */
  const report = (error) =>
    fill(message, notice('error', String(error instanceof Error ? error.message : error)))
  /** Cursors of the pages before this one, to go back. @type {Array<string | null>} */
  const earlier = []
  /** @type {string | null} */
  let cursor = null

  /** @param {string | null} at */
  const load = async (at) => {
    const { namespaces, cursor: next } = await api.namespaces({
      dialect,
      account,
      cursor: at,
      limit: PAGE_SIZE,
    })
    if (!page.isCurrent()) return
    cursor = at
    fill(
      list,
      table(
        ['Title', 'Dialect', 'Owner', 'Keys', 'Created', 'ID', ''],
        namespaces.map((namespace) => [
          wrappingLink(`#/namespaces/${encodeURIComponent(namespace.id)}`, namespace.title || '(untitled)'),
          namespace.dialect,
          namespace.owner
            ? link(
                `#/namespaces?account=${encodeURIComponent(namespace.owner)}`,
                h('code', null, namespace.owner),
              )
            : '—',
          namespace.keys ?? '—',
          formatTime(namespace.created_at),
          h('code.id', null, namespace.id),
          actionButton(
            'Delete',
            async () => {
              const label = namespace.title || namespace.id
              if (!confirm(`Delete ${namespace.dialect} namespace "${label}" and every key in it?`)) return
              await api.deleteNamespace(namespace.id)
              fill(message, notice('ok', `Deleted namespace "${label}".`))
              await load(cursor)
            },
            { class: 'danger', report },
          ),
        ]),
        'No namespaces here.',
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

  /** @param {string | null} name */
  const tab = (name) => {
    const query = new URLSearchParams()
    if (name) query.set('dialect', name)
    if (account) query.set('account', account)
    const anchor = link(`#/namespaces${query.size > 0 ? `?${query}` : ''}`, name ?? 'All')
    if (name === dialect) anchor.setAttribute('aria-current', 'true')
    return anchor
  }

  fill(
    page.view,
    h('h1', null, 'Namespaces'),
    h('nav.tabs', { 'aria-label': 'Dialect' }, tab(null), DIALECTS.map(tab)),
    account &&
      notice(
        'info',
        'Owned by account ',
        h('code', null, account),
        ' · ',
        link(`#/namespaces${dialect ? `?dialect=${encodeURIComponent(dialect)}` : ''}`, 'show every owner'),
      ),
    message,
    list,
    pager,
  )
  await load(null).catch(report)
}
