// The API documents: each mounted dialect with its base URL, and the OpenAPI document of one (a
// dialect's, or the admin API's) as a table of its operations, with a link to the JSON itself.

import { api } from '../api.mjs'
import { fill, h, notice, table } from '../dom.mjs'

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head']

/** @param {import('../app.mjs').PageContext} page */
export async function render(page) {
  const name = page.parts[1] ? decodeURIComponent(page.parts[1]) : null
  const body = h('div', null, h('p.empty', null, 'Loading…'))
  fill(page.view, h('h1', null, 'API documents'), body)
  try {
    const index = await api.index()
    const names = index.openapi.map((href) => href.replace(/^\/openapi\//, '').replace(/\.json$/, ''))
    const chosen = name ?? names[0] ?? null
    const document = chosen === null ? null : await api.openapi(chosen)
    if (!page.isCurrent()) return
    fill(
      body,
      h(
        'nav.tabs',
        null,
        names.map((each) =>
          h(
            'a',
            {
              href: `#/api/${encodeURIComponent(each)}`,
              'aria-current': each === chosen ? 'page' : undefined,
            },
            each,
          ),
        ),
      ),
      table(
        ['Dialect', 'Base URL'],
        index.dialects.map((dialect) => [dialect.name, h('code', null, dialect.base_url)]),
        'No dialect is mounted.',
      ),
      document && chosen && operations(chosen, document),
    )
  } catch (error) {
    fill(body, notice('error', `The server's index cannot be read: ${/** @type {Error} */ (error).message}`))
  }
}

/**
 * @param {string} name
 * @param {import('../api.mjs').OpenApiDocument} document
 */
function operations(name, document) {
  /** @type {Array<Array<import('../dom.mjs').Child>>} */
  const rows = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method]
      if (operation)
        rows.push([h('code', null, method.toUpperCase()), h('code', null, path), operation.summary ?? ''])
    }
  }
  return h(
    'section.card',
    null,
    h('h2', null, document.info.title),
    document.info.description && h('p.muted', null, document.info.description),
    h(
      'p',
      null,
      'Paths are relative to ',
      h('code', null, (document.servers ?? []).map((server) => server.url).join(', ') || '/'),
      '. ',
      h(
        'a',
        { href: `../openapi/${encodeURIComponent(name)}.json`, target: '_blank', rel: 'noopener' },
        `openapi/${name}.json`,
      ),
    ),
    table(['Method', 'Path', 'What'], rows),
  )
}
