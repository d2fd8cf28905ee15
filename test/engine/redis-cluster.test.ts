// The engine conformance suite on a 3-master Redis Cluster: REDIS_CLUSTER_NODES, else one the test
// harness starts from redis-server on spare ports and stops when the test process ends.

import { afterAll } from 'bun:test'
import { RedisBackend } from '../../core/engine/redis/backend.ts'
import {
  clusterNodes,
  clusterStartFailure,
  dropPrefix,
  nearCacheLive,
  requireRedis,
  testPrefix,
} from '../support/redis.ts'
import { changeLogConformance } from './change-log.ts'
import { engineConformance } from './conformance.ts'

const nodes = clusterNodes()
const prefix = testPrefix()

if (await requireRedis('redis-cluster', nodes && { nodes }, clusterStartFailure() ?? undefined)) {
  engineConformance('redis-cluster', { backend: () => new RedisBackend({ clusterNodes: nodes!, prefix }) })
  changeLogConformance('redis-cluster', {
    backend: (changeLog) => new RedisBackend({ clusterNodes: nodes!, prefix, changeLog }),
    shared: true,
  })
  engineConformance('redis-cluster with a near cache', {
    backend: async () => {
      const backend = new RedisBackend({ clusterNodes: nodes!, prefix, nearCacheBytes: 1 << 20 })
      await nearCacheLive(backend)
      return backend
    },
  })
  afterAll(() => dropPrefix({ nodes: nodes! }, prefix))
}
