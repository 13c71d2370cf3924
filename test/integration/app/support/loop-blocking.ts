import { monitorEventLoopDelay } from 'node:perf_hooks'

export interface LoopBlocking {
  /** perf_hooks.monitorEventLoopDelay: how late the loop ran, wall clock (includes time this process was not scheduled). */
  maxDelayMs: number
  p99DelayMs: number
  /**
   * The longest stretch of this process's own CPU work between two ticks of a 5 ms timer: the blocking our code
   * causes, whatever else the (shared, 2-core) machine is doing.
   */
  maxBusyMs: number
}

/** Starts measuring; `stop()` returns both views of how long the event loop was held. */
export function watchLoopBlocking(): { stop(): LoopBlocking } {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  let lastCpu = process.cpuUsage()
  let lastWall = performance.now()
  let maxBusyMs = 0
  const timer = setInterval(() => {
    const cpu = process.cpuUsage(lastCpu)
    const wall = performance.now()
    // CPU time of all threads; bounded by the wall gap so parallel GC threads do not count twice.
    const busy = Math.min((cpu.user + cpu.system) / 1000, wall - lastWall)
    if (busy > maxBusyMs) maxBusyMs = busy
    lastCpu = process.cpuUsage()
    lastWall = wall
  }, 5)
  return {
    stop() {
      clearInterval(timer)
      histogram.disable()
      return { maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6, maxBusyMs }
    },
  }
}
