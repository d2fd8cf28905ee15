// Health and live request rates: /healthz and /admin/stats, polled every two seconds while the
// page is open, with the last minute of the request rate drawn as a line.

import { api } from '../api.mjs'
import { fill, h, notice, table } from '../dom.mjs'
import { formatDuration, formatRate } from '../format.mjs'

const POLL_MS = 2000
/** A minute of samples. */
const HISTORY = 30
const SVG = 'http://www.w3.org/2000/svg'

/**
 * Nested counts as rows: { namespaces: { kvdb: 2 } } is "namespaces · kvdb: 2".
 * @param {unknown} value
 * @param {string} [path]
 * @returns {Array<[string, string]>}
 */
export function flatten(value, path = '') {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([name, inner]) => flatten(inner, path ? `${path} · ${name}` : name))
  }
  const text = typeof value === 'number' && !Number.isInteger(value) ? formatRate(value) : String(value)
  return [[path, text]]
}

/**
 * The overall request rate in a stats answer: its `total`, else the sum of its top-level numbers.
 * @param {Record<string, unknown> | undefined} rates
 * @returns {number}
 */
function totalRate(rates) {
  if (!rates) return 0
  if (typeof rates.total === 'number') return rates.total
  let sum = 0
  for (const value of Object.values(rates)) if (typeof value === 'number') sum += value
  return sum
}

/** @param {number[]} samples */
function sparkline(samples) {
  const width = 300
  const height = 60
  const top = Math.max(1, ...samples)
  const points = samples
    .map(
      (sample, index) =>
        `${((index / (HISTORY - 1)) * width).toFixed(1)},${(height - (sample / top) * (height - 4) - 2).toFixed(1)}`,
    )
    .join(' ')
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('class', 'sparkline')
  svg.setAttribute('role', 'img')
  svg.setAttribute('aria-label', `requests per second over the last minute, up to ${formatRate(top)}`)
  const line = document.createElementNS(SVG, 'polyline')
  line.setAttribute('points', points)
  svg.appendChild(line)
  return svg
}

/** @param {import('../app.mjs').PageContext} page */
export function render(page) {
  /** @type {number[]} */
  const samples = []
  const status = h('section.card.status', null, h('p.empty', null, 'Checking…'))
  const rates = h('section.card', null, h('h2', null, 'Requests per second'))
  const counts = h('section.card', null, h('h2', null, 'Counts'))
  const updated = h('p.muted.updated')
  fill(page.view, h('h1', null, 'Health'), h('div.grid', null, status, rates, counts), updated)

  const tick = async () => {
    const [health, stats] = await Promise.allSettled([api.health(), api.stats()])
    if (!page.isCurrent()) return
    const healthy = health.status === 'fulfilled' && health.value.status === 'ok'
    const info = stats.status === 'fulfilled' ? stats.value : null
    fill(
      status,
      h('h2', null, 'Store'),
      h(`p.state.${healthy ? 'ok' : 'down'}#store-state`, null, healthy ? 'Healthy' : 'Unavailable'),
      health.status === 'fulfilled' && health.value.error && notice('error', health.value.error),
      h(
        'dl.facts',
        null,
        h('dt', null, 'Backend'),
        h('dd', null, info?.backend ?? (health.status === 'fulfilled' ? health.value.backend : '—')),
        h('dt', null, 'Version'),
        h('dd', null, info?.version ?? '—'),
        h('dt', null, 'Uptime'),
        h('dd', null, typeof info?.uptime === 'number' ? formatDuration(info.uptime) : '—'),
      ),
    )
    if (stats.status === 'rejected') {
      fill(
        rates,
        h('h2', null, 'Requests per second'),
        notice('error', String(stats.reason?.message ?? stats.reason)),
      )
    } else {
      samples.push(totalRate(info?.rates))
      if (samples.length > HISTORY) samples.shift()
      while (samples.length < HISTORY) samples.unshift(0)
      fill(
        rates,
        h('h2', null, 'Requests per second'),
        h('p.big#rate-total', null, formatRate(samples[samples.length - 1] ?? 0)),
        sparkline(samples),
        table(['', 'per second'], flatten(info?.rates ?? {}), 'No requests yet.'),
      )
      fill(counts, h('h2', null, 'Counts'), table(['', ''], flatten(info?.counts ?? {}), 'Nothing counted.'))
    }
    fill(updated, `Updated ${new Date().toLocaleTimeString()}, every ${POLL_MS / 1000} s.`)
  }
  page.every(POLL_MS, tick)
  return tick()
}
