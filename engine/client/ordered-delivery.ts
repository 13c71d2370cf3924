/**
 * The client's single event path (Java's EventThread): request completions and watch events are delivered strictly
 * in the order their frames arrived.
 *
 * Completions settle promises, whose continuations run later as microtasks, while watchers are called directly. So
 * whenever the kind switches (completion → event or event → completion) the rest waits for a macrotask boundary
 * (setImmediate), by which time every continuation of what was delivered before has run. A watcher therefore sees an
 * event before the caller sees the response to a later request, and after it saw the responses to earlier ones.
 */
export type DeliveryKind = 'completion' | 'event'

interface Delivery {
  readonly kind: DeliveryKind
  readonly run: () => void
}

export class OrderedDelivery {
  private queue: Delivery[] = []
  private head = 0
  private lastKind: DeliveryKind | undefined
  private boundaryScheduled = false
  private draining = false

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Deliveries accepted and not yet run (the caller pauses its socket when this grows too large). */
  get backlog(): number {
    return this.queue.length - this.head
  }

  /** Called when the backlog has been worked off completely. */
  onIdle: (() => void) | undefined

  push(kind: DeliveryKind, run: () => void): void {
    this.queue.push({ kind, run })
    if (!this.boundaryScheduled && !this.draining) this.drain()
  }

  private drain(): void {
    this.draining = true
    try {
      while (this.head < this.queue.length) {
        const item = this.queue[this.head]!
        if (this.lastKind !== undefined && item.kind !== this.lastKind) {
          this.scheduleBoundary()
          return
        }
        this.queue[this.head++] = undefined as unknown as Delivery
        this.lastKind = item.kind
        try {
          item.run()
        } catch (error) {
          this.onError(error)
        }
      }
      this.queue = []
      this.head = 0
      // Even with nothing left, forget the last kind at the next boundary so a later switch need not wait.
      this.scheduleBoundary()
      this.onIdle?.()
    } finally {
      this.draining = false
    }
  }

  private scheduleBoundary(): void {
    if (this.boundaryScheduled) return
    this.boundaryScheduled = true
    // Under continuous load the queue never empties: drop the delivered prefix now and then.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
    setImmediate(() => {
      this.boundaryScheduled = false
      this.lastKind = undefined
      if (this.head < this.queue.length && !this.draining) this.drain()
    })
  }
}
