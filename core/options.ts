// Valibot building blocks for settings that arrive as text (environment variables) or as JSON
// (the config file): both "16384" and 16384 are accepted, and each carries its default.

import * as v from 'valibot'

const numberLike = v.pipe(
  v.union([v.number(), v.string()], 'must be a number'),
  v.transform((input) =>
    typeof input === 'string' ? (input.trim() === '' ? Number.NaN : Number(input)) : input,
  ),
  v.number('must be a number'),
)

export function integerOption(fallback: number, range: { min?: number; max?: number } = {}) {
  return v.optional(
    v.pipe(
      numberLike,
      v.integer('must be a whole number'),
      v.minValue(range.min ?? 0, `must be at least ${range.min ?? 0}`),
      v.maxValue(
        range.max ?? Number.MAX_SAFE_INTEGER,
        `must be at most ${range.max ?? Number.MAX_SAFE_INTEGER}`,
      ),
    ),
    fallback,
  )
}

const DURATION = /^(\d+)\s*(s|m|h|d)?$/
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** A duration as `90s`, `15m`, `6h`, `1d` or a number of seconds; its value in milliseconds. */
export function durationOption(range: { minSeconds: number }) {
  return v.optional(
    v.pipe(
      v.union([v.number(), v.string()], 'must be a duration like 90s, 15m, 6h or 1d'),
      v.transform((input) => {
        const match = DURATION.exec(String(input).trim())
        return match ? Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']! * 1000 : Number.NaN
      }),
      v.number('must be a duration like 90s, 15m, 6h or 1d'),
      v.minValue(range.minSeconds * 1000, `must be at least ${range.minSeconds}s`),
    ),
  )
}

export function booleanOption(fallback: boolean) {
  return v.optional(
    v.union([
      v.boolean(),
      v.pipe(
        v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
        v.transform((text) => text === 'true' || text === '1' || text === 'yes'),
      ),
    ]),
    fallback,
  )
}

/** A comma-separated list in text, or a JSON array of strings. */
export function listOption() {
  return v.optional(
    v.union([
      v.array(v.string()),
      v.pipe(
        v.string(),
        v.transform((text) =>
          text
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
        ),
      ),
    ]),
    [],
  )
}

// valibot's check rather than node:net's isIP: loading node:net costs Bun ~25 ms at every start.
const IP_ADDRESS = v.pipe(v.string(), v.ip())
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/

/** An address to listen on: an IP address, or a host name that is not a broken IPv4 address (999.1.1.1). */
export function listenAddressOption(fallback: string) {
  const valid = (host: string) => v.is(IP_ADDRESS, host) || (HOST_NAME.test(host) && !/^[\d.]+$/.test(host))
  return v.optional(
    v.pipe(v.string(), v.check(valid, 'must be an IP address of this machine or a host name')),
    fallback,
  )
}

/** Routes as KVGATE_ROUTES writes them, or as JSON: {"kvdb": ["/kvdb", "kvdb.example.com"], ...}. */
export function routesOption() {
  return v.optional(
    v.union(
      [
        v.string(),
        v.pipe(
          v.record(v.string(), v.union([v.string(), v.array(v.string())])),
          v.transform((routes) =>
            Object.entries(routes)
              .map(([dialect, each]) => `${dialect}=${([] as string[]).concat(each).join('|')}`)
              .join(','),
          ),
        ),
      ],
      'must be routes like "kvdb=/kvdb|kvdb.example.com" (or, in the file, {"kvdb": ["/kvdb"]})',
    ),
    '',
  )
}

/** CONSTANT_CASE of a camelCase option name, as used in environment variable names. */
export const constantCase = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase()
