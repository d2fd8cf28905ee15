// How the console writes sizes, times and durations.

/** @param {number} size */
export function formatSize(size) {
  if (size < 1024) return `${size} B`
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`
  return `${(size / 1024 / 1024).toFixed(1)} MiB`
}

/**
 * "2d 3h", "4m 05s", "12s": the two largest units.
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const whole = Math.max(0, Math.floor(seconds))
  const units = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ]
  /** @type {string[]} */
  const parts = []
  let rest = whole
  for (const [name, size] of /** @type {Array<[string, number]>} */ (units)) {
    if (parts.length === 0 && rest < size && size > 1) continue
    const count = Math.floor(rest / size)
    rest -= count * size
    parts.push(parts.length === 0 ? `${count}${name}` : `${String(count).padStart(2, '0')}${name}`)
    if (parts.length === 2) break
  }
  return parts.join(' ')
}

/**
 * A time as the API gives it (ISO text, or milliseconds or seconds since the epoch) in milliseconds.
 * @param {string | number | null | undefined} value
 * @returns {number | null}
 */
export function timeOf(value) {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value
  const parsed = Date.parse(value)
  return Number.isNaN(parsed) ? null : parsed
}

/** @param {string | number | null | undefined} value */
export function formatTime(value) {
  const time = timeOf(value)
  if (time === null) return '—'
  return new Date(time).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}

/**
 * What is left before an expiry: "expires in 4m 05s", "expired", or "never".
 * @param {number | null} expiresAt milliseconds since the epoch
 * @param {number} now
 */
export function formatExpiry(expiresAt, now = Date.now()) {
  if (expiresAt === null) return 'never'
  const left = (expiresAt - now) / 1000
  return left <= 0 ? 'expired' : `in ${formatDuration(Math.ceil(left))}`
}

/** @param {number} value */
export function formatRate(value) {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)
}
