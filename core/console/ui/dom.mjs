// Builds the console's DOM from plain calls (never from HTML text, so no stored key or value can
// become markup), and the few widgets every page shares.

/** @typedef {Node | string | number | null | undefined | false | Child[]} Child */

/**
 * An element: `h('button.primary', { type: 'submit', onclick }, 'Save')`. A prop starting with "on"
 * is an event handler; `class`, `for`, aria-* and data-* are attributes; anything else is set as a
 * property (value, checked, disabled, ...).
 * @param {string} selector a tag name, then any .class and one #id, in any order
 * @param {Record<string, any> | null} [props]
 * @param {Child[]} children
 * @returns {HTMLElement}
 */
export function h(selector, props = null, ...children) {
  const [tag = 'div', ...marks] = selector.split(/(?=[.#])/)
  const element = document.createElement(tag)
  for (const mark of marks) {
    if (mark.startsWith('#')) element.id = mark.slice(1)
    else element.classList.add(mark.slice(1))
  }
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value)
    } else if (name === 'class') {
      element.classList.add(...String(value).split(/\s+/).filter(Boolean))
    } else if (name === 'for' || name === 'role' || name.startsWith('aria-') || name.startsWith('data-')) {
      element.setAttribute(name, String(value))
    } else {
      Object.assign(element, { [name]: value })
    }
  }
  append(element, children)
  return element
}

/**
 * @param {Node} parent
 * @param {Child[]} children
 */
function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/**
 * Replaces everything inside an element.
 * @param {Element} element
 * @param {Child[]} children
 */
export function fill(element, ...children) {
  element.replaceChildren()
  append(element, children)
  return element
}

/**
 * A line that tells what happened: kind "error", "ok" or "info".
 * @param {'error' | 'ok' | 'info'} kind
 * @param {Child[]} children
 */
export const notice = (kind, ...children) =>
  h(`p.notice.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, ...children)

/**
 * A table's header row, one column heading each.
 * @param {string[]} headings
 */
export function tableHead(headings) {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      headings.map((heading) => h('th', { scope: 'col' }, heading)),
    ),
  )
}

/**
 * A table with a header row; `rows` are arrays of cells.
 * @param {string[]} headings
 * @param {Child[][]} rows
 * @param {string} [empty] what an empty table says instead
 */
export function table(headings, rows, empty = 'Nothing here yet.') {
  if (rows.length === 0) return h('p.empty', null, empty)
  return h(
    'table',
    null,
    tableHead(headings),
    h(
      'tbody',
      null,
      rows.map((cells) =>
        h(
          'tr',
          null,
          cells.map((cell) => h('td', null, cell)),
        ),
      ),
    ),
  )
}

/**
 * A link inside the console.
 * @param {string} route e.g. "#/accounts"
 * @param {Child[]} children
 */
export const link = (route, ...children) => h('a', { href: route }, ...children)

/**
 * A link whose text may be long (a key, a title): it wraps in a table, where the rest does not.
 * @param {string} route
 * @param {Child[]} children
 */
export const wrappingLink = (route, ...children) => h('a.wrap', { href: route }, ...children)

/**
 * A label above its control.
 * @param {string} text
 * @param {HTMLElement} control
 */
export function field(text, control) {
  return h('label.field', null, h('span', null, text), control)
}

/**
 * An action button that shows it is busy while its handler runs and reports what it threw.
 * @param {string} text
 * @param {() => Promise<unknown>} action
 * @param {{ class?: string, report: (error: unknown) => void, title?: string }} options
 */
export function actionButton(text, action, options) {
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button',
      {
        type: 'button',
        class: options.class,
        title: options.title,
        onclick: async () => {
          button.disabled = true
          try {
            await action()
          } catch (error) {
            options.report(error)
          } finally {
            button.disabled = false
          }
        },
      },
      text,
    )
  )
  return button
}
