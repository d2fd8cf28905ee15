// One entry: its value shown as text, pretty JSON or hex, editable in any of the three, with its
// metadata and expiry (counting down); saved with If-Match on the version it was read at, so an
// edit never overwrites a change made meanwhile.

import { ApiError, api } from '../api.mjs'
import {
  base64Bytes,
  bytesBase64,
  hexBytes,
  hexDump,
  hexText,
  percentDecode,
  utf8Bytes,
  utf8Text,
} from '../bytes.mjs'
import { actionButton, field, fill, h, link, notice } from '../dom.mjs'
import { formatSize, timeOf } from '../format.mjs'
import { expiryCell, updateCountdowns } from './keys.mjs'

/** @typedef {'text' | 'json' | 'hex'} Mode */

/**
 * The value's bytes as the API gave them.
 * @param {import('../api.mjs').Entry} entry
 */
function valueBytes(entry) {
  if (entry.encoding === 'base64') return base64Bytes(entry.value)
  return utf8Bytes(typeof entry.value === 'string' ? entry.value : JSON.stringify(entry.value))
}

/**
 * How to show bytes in a mode; null when they cannot be (not UTF-8, not JSON).
 * @param {Uint8Array} bytes
 * @param {Mode} mode
 */
function shown(bytes, mode) {
  if (mode === 'hex') return hexText(bytes)
  const text = utf8Text(bytes)
  if (text === null || mode === 'text') return text
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return null
  }
}

/**
 * The bytes the editor holds in a mode; throws with a reason when they are not valid there.
 * @param {string} text
 * @param {Mode} mode
 */
function edited(text, mode) {
  if (mode === 'hex') return hexBytes(text)
  if (mode === 'json') JSON.parse(text)
  return utf8Bytes(text)
}

/**
 * The mode an entry opens in: hex for bytes that are not UTF-8, JSON for JSON values and for text
 * that is a JSON object or array (most dialects store JSON as plain bytes), else text.
 * @param {import('../api.mjs').Entry} entry
 * @param {Uint8Array} bytes
 * @returns {Mode}
 */
function modeOf(entry, bytes) {
  if (entry.encoding === 'base64') return 'hex'
  if (entry.encoding === 'json' || entry.kind === 'json') return 'json'
  const text = utf8Text(bytes)?.trim() ?? ''
  if (!/^[[{]/.test(text)) return 'text'
  try {
    JSON.parse(text)
    return 'json'
  } catch {
    return 'text'
  }
}

/** Larger values are shown in part and not edited: a textarea of megabytes of hex freezes a tab. */
const EDITABLE_BYTES = 1024 * 1024
const PREVIEW_BYTES = 4096

/**
 * What an entry is, beside its value.
 * @param {import('../api.mjs').Entry} entry
 * @param {number} size
 */
function facts(entry, size) {
  return h(
    'dl.facts',
    null,
    h('dt', null, 'Kind'),
    h('dd#kind', null, entry.kind),
    h('dt', null, 'Size'),
    h('dd', null, formatSize(size)),
    h('dt', null, 'Version'),
    h('dd#version', null, String(entry.version)),
    h('dt', null, 'Expires'),
    h('dd#expires', null, expiryCell(entry.expires_at)),
  )
}

/** @param {import('../app.mjs').PageContext} page */
export async function render(page) {
  const id = decodeURIComponent(page.parts[1] ?? '')
  const key = percentDecode(page.parts[3] ?? '')
  const keyText = utf8Text(key)
  const keysRoute = `#/namespaces/${encodeURIComponent(id)}`
  const message = h('div.message')
  /** @param {unknown} error */
  const report = (error) =>
    fill(message, notice('error', String(error instanceof Error ? error.message : error)))
  const body = h('div', null, h('p.empty', null, 'Loading…'))
  const namespaceLink = link(keysRoute, h('code', null, id))
  // The title reads better than the id, once it is known.
  api
    .namespace(id)
    .then((namespace) => namespace.title && fill(namespaceLink, namespace.title))
    .catch(report)
  fill(
    page.view,
    h('p.crumbs', null, link('#/namespaces', 'Namespaces'), ' › ', namespaceLink),
    h('h1.key', null, keyText ?? h('span.binary', { title: 'not UTF-8: shown as base64' }, bytesBase64(key))),
    message,
    body,
  )
  page.every(1000, () => updateCountdowns(body))

  const found = await api.entry(id, key).catch((error) => {
    report(error)
    return undefined
  })
  if (found === undefined || !page.isCurrent()) return
  const entry = found?.entry ?? null
  let etag = found?.etag ?? null

  let bytes = entry ? valueBytes(entry) : new Uint8Array()
  const remove = async () => {
    if (!confirm(`Delete the key "${keyText ?? bytesBase64(key)}"?`)) return
    await api.deleteEntry(id, key, etag)
    fill(body, notice('ok', 'Deleted. ', link(keysRoute, 'Back to the keys')))
    fill(message)
  }
  if (entry && bytes.length > EDITABLE_BYTES) {
    fill(
      body,
      facts(entry, bytes.length),
      notice('info', `Too large to edit here; its first ${formatSize(PREVIEW_BYTES)}:`),
      h('pre.hexdump', null, hexDump(bytes.subarray(0, PREVIEW_BYTES))),
      h('div.actions', null, actionButton('Delete', remove, { class: 'danger', report })),
    )
    return
  }
  /** @type {Mode} */
  let mode = entry ? modeOf(entry, bytes) : 'text'
  const editor = /** @type {HTMLTextAreaElement} */ (
    h('textarea#value', { spellcheck: false, 'aria-label': 'Value' })
  )
  const dump = h('pre.hexdump', { hidden: true })
  const showDump = () => {
    dump.hidden = mode !== 'hex'
    if (mode === 'hex') {
      try {
        dump.textContent = hexDump(hexBytes(editor.value))
      } catch (error) {
        dump.textContent = String(/** @type {Error} */ (error).message)
      }
    }
  }
  editor.addEventListener('input', showDump)

  /** @type {Record<Mode, HTMLInputElement>} */
  const modeInputs = {
    text: /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'mode', value: 'text' })),
    json: /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'mode', value: 'json' })),
    hex: /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name: 'mode', value: 'hex' })),
  }
  /** @param {Mode} next */
  const switchTo = (next) => {
    try {
      bytes = edited(editor.value, mode)
    } catch (error) {
      modeInputs[mode].checked = true
      return report(
        new Error(
          `The value is not valid ${mode === 'hex' ? 'hex' : 'JSON'}: ${/** @type {Error} */ (error).message}`,
        ),
      )
    }
    const text = shown(bytes, next)
    if (text === null) {
      modeInputs[mode].checked = true
      return report(
        new Error(next === 'json' ? 'The value is not JSON.' : 'The value is not UTF-8 text: see it as hex.'),
      )
    }
    mode = next
    modeInputs[mode].checked = true
    editor.value = text
    fill(message)
    showDump()
  }
  for (const [name, input] of Object.entries(modeInputs)) {
    input.addEventListener('change', () => switchTo(/** @type {Mode} */ (name)))
  }
  const initial = shown(bytes, mode)
  if (initial === null) mode = 'hex'
  editor.value = initial ?? hexText(bytes)
  editor.rows = Math.min(24, Math.max(4, editor.value.split('\n').length + 1))
  modeInputs[mode].checked = true
  showDump()

  const metadata = /** @type {HTMLTextAreaElement} */ (
    h('textarea#metadata', { spellcheck: false, rows: 4, placeholder: 'none (JSON)' })
  )
  metadata.value =
    entry?.metadata === null || entry?.metadata === undefined ? '' : JSON.stringify(entry.metadata, null, 2)

  const expiresAt = entry ? timeOf(entry.expires_at) : null
  const expiry = /** @type {HTMLSelectElement} */ (
    h(
      'select#expiry',
      { name: 'expiry' },
      expiresAt !== null && h('option', { value: 'keep' }, 'Keep its expiry'),
      h('option', { value: 'none' }, 'Never expire'),
      h('option', { value: 'ttl' }, 'Expire in (seconds)'),
    )
  )
  const ttl = /** @type {HTMLInputElement} */ (
    h('input#ttl', {
      type: 'number',
      min: 1,
      step: 1,
      value: '3600',
      'aria-label': 'Seconds until it expires',
    })
  )
  const showTtl = () => {
    ttl.hidden = expiry.value !== 'ttl'
  }
  expiry.addEventListener('change', showTtl)
  showTtl()

  const save = async () => {
    /** @type {import('../api.mjs').EntryWrite} */
    const write = { value: '', encoding: 'text' }
    try {
      const value = edited(editor.value, mode)
      if (mode === 'hex') Object.assign(write, { value: bytesBase64(value), encoding: 'base64' })
      else if (mode === 'json')
        Object.assign(write, { value: JSON.stringify(JSON.parse(editor.value)), encoding: 'json' })
      else Object.assign(write, { value: editor.value, encoding: 'text' })
      write.metadata = metadata.value.trim() === '' ? null : JSON.parse(metadata.value)
    } catch (error) {
      return report(new Error(`Not saved: ${/** @type {Error} */ (error).message}`))
    }
    if (expiry.value === 'ttl') write.ttl = Number(ttl.value)
    if (expiry.value === 'keep' && expiresAt !== null) {
      write.ttl = Math.max(1, Math.ceil((expiresAt - Date.now()) / 1000))
    }
    try {
      etag = (await api.putEntry(id, key, write, etag)).etag
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        return report(
          new Error(
            'Not saved: the entry changed since you opened it. Reload to see it (copy your edit first).',
          ),
        )
      }
      throw error
    }
    page.reload()
  }

  fill(
    body,
    entry
      ? facts(entry, bytes.length)
      : notice('info', 'There is no such key (any more): saving creates it.'),
    h(
      'form.editor',
      {
        method: 'post',
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault()
          await save().catch(report)
        },
      },
      h(
        'fieldset.modes',
        null,
        h('legend', null, 'Show as'),
        Object.entries(modeInputs).map(([name, input]) =>
          h('label', null, input, name === 'json' ? 'JSON' : name === 'hex' ? 'Hex' : 'Text'),
        ),
      ),
      editor,
      dump,
      field('Metadata (JSON)', metadata),
      h('div.expiry', null, field('Expiry', expiry), ttl),
      h(
        'div.actions',
        null,
        h('button.primary#save', { type: 'submit' }, entry ? 'Save' : 'Create'),
        entry && actionButton('Delete', remove, { class: 'danger', report }),
        entry && actionButton('Reload', async () => page.reload(), { report }),
      ),
    ),
  )
}
