// The stores every dialect's black-box suite runs on. Each entry gives the environment that points
// a test kvgate at that store; testKvgate() takes it as is.

import { describe } from 'bun:test'

export interface TestStore {
  name: string
  env: Record<string, string>
}

export const testStores: TestStore[] = [{ name: 'sqlite', env: { KVGATE_DATA: ':memory:' } }]

/** Runs the same suite once per store, each under its own describe block. */
export function describeEachStore(title: string, suite: (store: TestStore) => void): void {
  for (const store of testStores) describe(`${title} [${store.name}]`, () => suite(store))
}
