// A clock that only moves when a test says so, so expiry is tested without sleeping.

import type { Clock } from '../../core/engine/types.ts'

export class ManualClock implements Clock {
  constructor(private time = Date.now()) {}

  now(): number {
    return this.time
  }

  advance(ms: number): void {
    this.time += ms
  }
}
