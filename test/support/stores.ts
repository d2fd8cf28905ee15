// The stores every dialect's black-box suite runs on. Each entry gives the environment that points
// a test kvgate at that store; testKvgate() takes it as is.
//
// Redis and Redis Cluster hand out a fresh key prefix each time `env` is read, so every test
// kvgate is isolated from the others on the shared Redis (read it once and pass that to two
// kvgates that should share data); testKvgate removes a prefix's keys when its last kvgate closes.
// The cluster is started once per test process, the first time a suite is collected.

import { describe } from 'bun:test'
import {
  clusterNodes,
  clusterStartFailure,
  dropStalePrefixes,
  redisUrl,
  requireRedis,
  testPrefix,
} from './redis.ts'

export interface TestStore {
  name: string
  env: Record<string, string>
}

export const testStores: TestStore[] = [{ name: 'sqlite', env: { KVGATE_DATA: ':memory:' } }]

const url = redisUrl()
if (await requireRedis('redis', url)) {
  await dropStalePrefixes(url)
  testStores.push({
    name: 'redis',
    get env() {
      return { REDIS_URL: url, KVGATE_REDIS_PREFIX: testPrefix() }
    },
  })
}

const nodes = clusterNodes()
if (await requireRedis('redis-cluster', nodes && { nodes }, clusterStartFailure() ?? undefined)) {
  testStores.push({
    name: 'redis-cluster',
    get env() {
      return { REDIS_CLUSTER_NODES: nodes!.join(','), KVGATE_REDIS_PREFIX: testPrefix() }
    },
  })
}

/** Runs the same suite once per store, each under its own describe block. */
export function describeEachStore(title: string, suite: (store: TestStore) => void): void {
  for (const store of testStores) describe(`${title} [${store.name}]`, () => suite(store))
}
