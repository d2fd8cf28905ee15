// Where a dialect's black-box suite mounts it: at its default prefix, at another prefix, and at the
// root of a host name of its own. Every suite runs under each, on every store, so that no handler
// can hard-code a path.

import { describe } from 'bun:test'
import type { TestKvgate } from './kvgate.ts'
import { describeEachStore, type TestStore } from './stores.ts'

export interface TestMount {
  name: string
  /** KVGATE_ROUTES for the dialect, or {} for its default route. */
  env: Record<string, string>
  /** The path prefix requests go to (the dialect's base URL path). */
  prefix: string
  /** The Host header requests carry. */
  host: string
}

export function testMounts(dialect: string, defaultPrefix: string): TestMount[] {
  const host = `${dialect}.kvgate.test`
  return [
    { name: 'default prefix', env: {}, prefix: defaultPrefix, host: 'localhost' },
    {
      name: 'other prefix',
      env: { KVGATE_ROUTES: `${dialect}=/x/${dialect}` },
      prefix: `/x/${dialect}`,
      host: 'localhost',
    },
    { name: 'host route', env: { KVGATE_ROUTES: `${dialect}=${host}` }, prefix: '', host },
  ]
}

/** Runs a suite once per store and mount, each under its own describe block. */
export function describeEachStoreAndMount(
  title: string,
  mounts: TestMount[],
  suite: (store: TestStore, mount: TestMount) => void,
): void {
  describeEachStore(title, (store) => {
    for (const mount of mounts) describe(mount.name, () => suite(store, mount))
  })
}

export interface MountedKvgate extends TestKvgate {
  mount: TestMount
  /** The base URL path of the dialect under this mount ('' at a host's root). */
  prefix: string
}

/**
 * The kvgate as a client of this mount sees it: a path written for the dialect's default prefix
 * goes to the mount's prefix instead, and every request carries the mount's Host.
 */
export function mountedKvgate(kvgate: TestKvgate, mount: TestMount, defaultPrefix: string): MountedKvgate {
  const fetch: TestKvgate['fetch'] = (path, init = {}) => {
    const moved =
      path === defaultPrefix || path.startsWith(`${defaultPrefix}/`) || path.startsWith(`${defaultPrefix}?`)
        ? `${mount.prefix}${path.slice(defaultPrefix.length)}`
        : path
    return kvgate.fetch(moved || '/', { host: mount.host, ...init })
  }
  return { ...kvgate, fetch, mount, prefix: mount.prefix }
}
