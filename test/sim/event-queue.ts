/** Simulated time: a min-heap of events ordered by time, then by scheduling order (so runs are deterministic). */
interface Scheduled {
  atMs: number
  seq: number
  run: () => void
}

export class EventQueue {
  private heap: Scheduled[] = []
  private seq = 0
  private halted = false
  nowMs = 0

  get size(): number {
    return this.heap.length
  }

  at(atMs: number, run: () => void): void {
    const event = { atMs: Math.max(atMs, this.nowMs), seq: this.seq++, run }
    this.heap.push(event)
    this.siftUp(this.heap.length - 1)
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.nowMs + delayMs, run)
  }

  /** Makes the current `runUntil` return after the event that calls it (the run is over early). */
  halt(): void {
    this.halted = true
  }

  /**
   * Runs events in order until the queue is empty, the next one is after `untilMs` or an event calls `halt`;
   * returns events run.
   */
  runUntil(untilMs: number, budget = Number.POSITIVE_INFINITY): number {
    let count = 0
    this.halted = false
    while (this.heap.length > 0 && this.heap[0]!.atMs <= untilMs) {
      if (this.halted) return count
      if (count++ >= budget) throw new Error(`event budget of ${budget} exceeded at ${this.nowMs} ms`)
      const event = this.pop()
      this.nowMs = event.atMs
      event.run()
    }
    this.nowMs = Math.max(this.nowMs, untilMs)
    return count
  }

  private pop(): Scheduled {
    const top = this.heap[0]!
    const last = this.heap.pop()!
    if (this.heap.length > 0) {
      this.heap[0] = last
      this.siftDown(0)
    }
    return top
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!
    const b = this.heap[j]!
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (!this.less(index, parent)) return
      ;[this.heap[index], this.heap[parent]] = [this.heap[parent]!, this.heap[index]!]
      index = parent
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      let smallest = index
      if (left < this.heap.length && this.less(left, smallest)) smallest = left
      if (right < this.heap.length && this.less(right, smallest)) smallest = right
      if (smallest === index) return
      ;[this.heap[index], this.heap[smallest]] = [this.heap[smallest]!, this.heap[index]!]
      index = smallest
    }
  }
}
