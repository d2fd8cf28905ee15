// The engine conformance suite on Redis (REDIS_URL, else the Redis on 127.0.0.1:6379), under a
// key prefix of its own that is removed afterwards: the Redis may be shared.

import { afterAll } from 'bun:test'
import { RedisBackend } from '../../core/engine/redis.ts'
import { dropPrefix, redisUrl, requireRedis, testPrefix } from '../support/redis.ts'
import { engineConformance } from './conformance.ts'

const url = redisUrl()
const prefix = testPrefix()

if (await requireRedis('redis', url)) {
  engineConformance('redis', { backend: () => new RedisBackend({ url, prefix }) })
  afterAll(() => dropPrefix({ url }, prefix))
}
