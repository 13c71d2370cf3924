/**
 * A member's monotonic clock as a function of simulated (true) time. It starts in step; faults make it leap ahead
 * (its timers fire early), stand still for a while (a clock stepped back, clamped to stay monotonic: its timers fire
 * late) or run fast or slow. The machines only ever see this clock; histories are recorded in true time.
 *
 * Between changes, local = anchorLocalMs + max(0, trueMs - max(anchorTrueMs, frozenUntilTrueMs)) * rate.
 */
export class SimClock {
  private anchorTrueMs = 0
  private anchorLocalMs = 0
  private frozenUntilTrueMs = 0
  private rate = 1
  /** Changes whenever the clock is changed: timers armed before must be re-armed. */
  generation = 0

  constructor(private readonly trueNowMs: () => number) {}

  now(): number {
    return this.localAt(this.trueNowMs())
  }

  private localAt(trueMs: number): number {
    const runningFromMs = Math.max(this.anchorTrueMs, this.frozenUntilTrueMs)
    return this.anchorLocalMs + Math.max(0, trueMs - runningFromMs) * this.rate
  }

  /** The true time at which this clock reads `localMs` (now, if it already does). */
  trueTimeOf(localMs: number): number {
    const nowMs = this.trueNowMs()
    const localNowMs = this.localAt(nowMs)
    if (localMs <= localNowMs) return nowMs
    const runningFromMs = Math.max(this.anchorTrueMs, this.frozenUntilTrueMs)
    let trueMs = runningFromMs + (localMs - this.anchorLocalMs) / this.rate
    // Rounding may land a hair early; a timer must find its deadline reached when it fires.
    for (let nudgeMs = 1e-6; this.localAt(trueMs) < localMs; nudgeMs *= 2) trueMs += nudgeMs
    return trueMs
  }

  private reanchor(): void {
    const nowMs = this.trueNowMs()
    this.anchorLocalMs = this.localAt(nowMs)
    this.anchorTrueMs = nowMs
    this.generation++
  }

  /** The clock leaps forward by `jumpMs`. */
  leap(jumpMs: number): void {
    this.reanchor()
    this.anchorLocalMs += jumpMs
  }

  /** The clock stands still for `standMs` of true time (a backward step, held monotonic). */
  standStill(standMs: number): void {
    this.reanchor()
    this.frozenUntilTrueMs = Math.max(this.frozenUntilTrueMs, this.anchorTrueMs + standMs)
  }

  /** From now on the clock runs at `rate` (1: true speed). */
  setRate(rate: number): void {
    if (!(rate > 0)) throw new Error(`clock rate must be positive, got ${rate}`)
    this.reanchor()
    this.rate = rate
  }

  get drifting(): boolean {
    return this.rate !== 1
  }

  /** Back in step with true time (a restarted process still has its machine's clock: only faults call this). */
  resync(): void {
    this.reanchor()
    this.frozenUntilTrueMs = 0
    this.rate = 1
  }
}
