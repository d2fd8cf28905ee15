// The CPU and memory limits of the runs on one Lua state. The allocator refuses to grow past the
// run's memory ceiling; the count hook, and every 128th allocation, check the run's CPU time. That
// is the process's CPU time while Lua runs, not the wall clock, which on a busy machine also counts
// the time the process was not scheduled.

import type { Module } from './lua-values.ts'

export class RunBudget {
  /** Bytes the state holds now. */
  used = 0
  /** Bytes the state may hold while Lua runs; unbounded in between. */
  ceiling = Number.POSITIVE_INFINITY
  /** The run met its CPU limit (the hook or the allocator found it). */
  timedOut = false
  /** The allocator refused memory for the ceiling. */
  memoryRefused = false
  // A slice is one lua_resume. Until `deadline` (performance.now()) it cannot have used its CPU
  // budget, as CPU time <= wall time; past it, the process's CPU time since the slice began decides.
  private deadline = Number.POSITIVE_INFINITY
  private sliceStart = 0
  private sliceBudgetMs = Number.POSITIVE_INFINITY
  private sliceCpu: NodeJS.CpuUsage | undefined
  private allocations = 0

  constructor(private readonly m: Module) {}

  startSlice(budgetMs: number): void {
    this.sliceCpu = process.cpuUsage()
    this.sliceBudgetMs = budgetMs
    this.sliceStart = performance.now()
    this.deadline = this.sliceStart + budgetMs
  }

  /** Ends a slice: no deadline and no memory ceiling until the next one. Returns its CPU time. */
  endSlice(): number {
    const used = this.sliceUsedMs()
    this.deadline = Number.POSITIVE_INFINITY
    this.ceiling = Number.POSITIVE_INFINITY
    return used
  }

  /**
   * CPU time of the slice so far. Below a millisecond of wall time the wall time is close enough
   * and saves a system call; beyond it, the process may have waited for a CPU, which is not charged.
   */
  sliceUsedMs(): number {
    const wall = performance.now() - this.sliceStart
    return wall < 1 ? wall : Math.min(wall, cpuSince(this.sliceCpu))
  }

  /** Cheap while the wall clock is inside the budget; past it, asks for the CPU time really used. */
  outOfTime(): boolean {
    const now = performance.now()
    if (now <= this.deadline) return false
    const left = this.sliceBudgetMs - this.sliceUsedMs()
    if (left <= 0) return true
    this.deadline = now + left
    return false
  }

  /** The state's lua_Alloc: realloc within the ceiling, and a CPU check now and then. */
  allocate(ptr: number, oldSize: number, newSize: number): number {
    const m = this.m
    if (newSize === 0) {
      if (ptr) {
        this.used -= oldSize
        m._free(ptr)
      }
      return 0
    }
    // With a null pointer, oldSize encodes the kind of object being created, not a size.
    const growth = ptr ? newSize - oldSize : newSize
    if (growth > 0) {
      if (this.used + growth > this.ceiling) {
        this.memoryRefused = true
        return 0
      }
      // C library functions (string.rep, table.concat, ...) run no instructions the hook could count.
      if ((++this.allocations & 127) === 0 && this.outOfTime()) {
        this.timedOut = true
        return 0
      }
    }
    const result = m._realloc(ptr, newSize)
    if (result) this.used += growth
    return result
  }
}

/** Milliseconds of CPU (user and system) this process used since `start`. */
function cpuSince(start: NodeJS.CpuUsage | undefined): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}
