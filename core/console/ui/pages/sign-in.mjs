// Sign-in: the admin token, checked against the server, kept in this tab's sessionStorage only
// (gone when the tab closes; never in a URL, never in localStorage).

import { ApiError, api, session } from '../api.mjs'
import { fill, h, notice } from '../dom.mjs'

let refusedBefore = false

/** The server stopped taking the token the console held (a new KVGATE_ADMIN_TOKEN, say). */
export function refusedWhileSignedIn() {
  refusedBefore = true
}

/** @param {import('../app.mjs').PageContext} page */
export function render(page) {
  const token = /** @type {HTMLInputElement} */ (
    h('input#token', { type: 'password', name: 'token', autocomplete: 'current-password', required: true })
  )
  const message = h('div.message')
  if (refusedBefore) fill(message, notice('info', 'The server no longer takes the token you signed in with.'))
  const submit = /** @type {HTMLButtonElement} */ (h('button.primary', { type: 'submit' }, 'Sign in'))
  // method="post" and the page's form-action 'none': without this script the token goes nowhere.
  const form = h(
    'form.sign-in',
    {
      method: 'post',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        submit.disabled = true
        try {
          if (await api.accepts(token.value)) {
            refusedBefore = false
            session.signIn(token.value)
            page.reload()
          } else {
            fill(message, notice('error', 'Wrong token: the server refused it.'))
            token.select()
          }
        } catch (error) {
          const text =
            error instanceof ApiError && error.status === 404
              ? 'The admin API is off on this server.'
              : String(error)
          fill(message, notice('error', text))
        } finally {
          submit.disabled = false
        }
      },
    },
    h('h1', null, 'Sign in'),
    h(
      'p',
      null,
      'Enter the admin token (KVGATE_ADMIN_TOKEN). It is kept in this tab only, until the tab closes or you sign out.',
    ),
    h('label.field', null, h('span', null, 'Admin token'), token),
    submit,
    message,
  )
  fill(page.view, form)
  token.focus()
}
