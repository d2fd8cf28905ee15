// Accounts: create one per dialect, rotate its credentials, delete it. New credentials are shown
// once, here, and never again (the server keeps only their hashes).

import { ACCOUNT_DIALECTS, api, ROTATION_ROLES } from '../api.mjs'
import { actionButton, field, fill, h, link, notice, table } from '../dom.mjs'
import { formatTime } from '../format.mjs'

/** @param {import('../app.mjs').PageContext} page */
export async function render(page) {
  const message = h('div.message')
  const issued = h('div.issued')
  const list = h('div.list', null, h('p.empty', null, 'Loading…'))
  /** @param {unknown} error */
  const report = (error) =>
    fill(message, notice('error', String(error instanceof Error ? error.message : error)))

  const refresh = async () => {
    const accounts = await api.accounts()
    if (!page.isCurrent()) return
    fill(
      list,
      table(
        ['Account', 'Dialect', 'Name', 'Created', ''],
        accounts.map((account) => [
          h('code', null, account.account_id),
          account.dialect,
          account.name ?? '',
          formatTime(account.created_at),
          h(
            'div.actions',
            null,
            link(`#/namespaces?account=${encodeURIComponent(account.account_id)}`, 'Namespaces'),
            rotateControl(
              account,
              (credentials) => {
                fill(issued, credentialsPanel('New credentials', credentials))
                fill(message)
              },
              report,
            ),
            actionButton(
              'Delete',
              async () => {
                if (
                  !confirm(
                    `Delete account ${account.account_id}, its credentials and every namespace it owns?`,
                  )
                )
                  return
                await api.deleteAccount(account.account_id)
                fill(message, notice('ok', `Deleted account ${account.account_id}.`))
                await refresh()
              },
              { class: 'danger', report },
            ),
          ),
        ]),
        'No accounts yet: create one above.',
      ),
    )
  }

  const dialect = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { name: 'dialect' },
      ACCOUNT_DIALECTS.map((name) => h('option', { value: name }, name)),
    )
  )
  const name = /** @type {HTMLInputElement} */ (
    h('input', { name: 'name', placeholder: 'optional', maxLength: 200 })
  )
  const create = h(
    'form.inline',
    {
      method: 'post',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        try {
          const credentials = await api.createAccount(dialect.value, name.value.trim() || null)
          fill(issued, credentialsPanel('Account created', credentials))
          fill(message)
          name.value = ''
          await refresh()
        } catch (error) {
          report(error)
        }
      },
    },
    field('Dialect', dialect),
    field('Name', name),
    h('button.primary', { type: 'submit' }, 'Create account'),
  )

  fill(
    page.view,
    h('h1', null, 'Accounts'),
    h('section.card', null, h('h2', null, 'New account'), create),
    issued,
    message,
    list,
  )
  await refresh().catch(report)
}

/**
 * Rotate, with a choice of which credentials where the dialect has several roles.
 * @param {import('../api.mjs').Account} account
 * @param {(credentials: import('../api.mjs').IssuedCredentials) => void} shown
 * @param {(error: unknown) => void} report
 */
function rotateControl(account, shown, report) {
  const roles = ROTATION_ROLES[account.dialect]
  const which = roles
    ? /** @type {HTMLSelectElement} */ (
        h(
          'select',
          { 'aria-label': 'Which credentials' },
          roles.map((role) => h('option', { value: role }, role)),
        )
      )
    : null
  const rotate = actionButton(
    'Rotate',
    async () => {
      if (!confirm(`Issue new credentials for ${account.account_id}? The old ones stop working at once.`))
        return
      shown(await api.rotateAccount(account.account_id, which?.value))
    },
    { report },
  )
  return h('span.rotate', null, which, rotate)
}

/**
 * Credentials as issued: shown this once, with a button to copy each.
 * @param {string} title
 * @param {import('../api.mjs').IssuedCredentials} issued
 */
function credentialsPanel(title, issued) {
  return h(
    'section.card.credentials',
    { 'aria-live': 'polite' },
    h('h2', null, title),
    h('p', null, 'Copy these now: they are shown once and kvgate keeps only their hashes.'),
    h(
      'dl',
      null,
      h('dt', null, 'account_id'),
      h('dd', null, h('code', null, issued.account_id)),
      Object.entries(issued.credentials).map(([name, value]) => [
        h('dt', null, name),
        h('dd', null, h('code', { 'data-credential': name }, value), copyButton(value)),
      ]),
    ),
  )
}

/** @param {string} text */
function copyButton(text) {
  if (!navigator.clipboard) return null
  const button = h(
    'button.quiet',
    {
      type: 'button',
      onclick: async () => {
        await navigator.clipboard.writeText(text)
        button.textContent = 'Copied'
      },
    },
    'Copy',
  )
  return button
}
