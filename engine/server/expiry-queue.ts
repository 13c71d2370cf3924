/**
 * Apache's ExpiryQueue: elements live in buckets one `intervalMs` wide, keyed by the end of the interval in which
 * they expire. Touching an element moves it to bucket `roundUp(now + timeout)`; whole buckets expire at once. So an
 * element expires between `timeout` and `timeout + interval` after its last touch, and a touch that lands in the same
 * bucket costs one map lookup.
 */
export class ExpiryQueue<E> {
  private readonly expiryByElement = new Map<E, number>()
  private readonly elementsByExpiry = new Map<number, Set<E>>()
  private nextExpirationMs: number

  constructor(
    private readonly intervalMs: number,
    nowMs: number,
  ) {
    this.nextExpirationMs = this.roundToNextInterval(nowMs)
  }

  private roundToNextInterval(timeMs: number): number {
    return (Math.floor(timeMs / this.intervalMs) + 1) * this.intervalMs
  }

  /** Moves `element` to the bucket for `now + timeoutMs`; returns the new expiry, or undefined when unchanged. */
  update(element: E, timeoutMs: number, nowMs: number): number | undefined {
    const previous = this.expiryByElement.get(element)
    const expiry = this.roundToNextInterval(nowMs + timeoutMs)
    if (expiry === previous) return undefined
    let bucket = this.elementsByExpiry.get(expiry)
    if (bucket === undefined) {
      bucket = new Set()
      this.elementsByExpiry.set(expiry, bucket)
    }
    bucket.add(element)
    this.expiryByElement.set(element, expiry)
    if (previous !== undefined) this.elementsByExpiry.get(previous)?.delete(element)
    return expiry
  }

  remove(element: E): number | undefined {
    const expiry = this.expiryByElement.get(element)
    if (expiry === undefined) return undefined
    this.expiryByElement.delete(element)
    this.elementsByExpiry.get(expiry)?.delete(element)
    return expiry
  }

  has(element: E): boolean {
    return this.expiryByElement.has(element)
  }

  /** Milliseconds until the next bucket is due (0 when it is already due). */
  waitMs(nowMs: number): number {
    return nowMs < this.nextExpirationMs ? this.nextExpirationMs - nowMs : 0
  }

  get nextDueMs(): number {
    return this.nextExpirationMs
  }

  /**
   * Takes the next due bucket, if due. Like Apache, one call advances by one interval; call until `waitMs` > 0.
   * Elements in the returned set are still tracked: the caller decides (a session is marked closing, not removed).
   */
  poll(nowMs: number): ReadonlySet<E> {
    if (nowMs < this.nextExpirationMs) return EMPTY
    const due = this.nextExpirationMs
    this.nextExpirationMs = due + this.intervalMs
    const bucket = this.elementsByExpiry.get(due)
    if (bucket === undefined) return EMPTY
    this.elementsByExpiry.delete(due)
    return bucket
  }

  /** Buckets sorted by expiry time, for `dump` and the AdminServer. */
  buckets(): Array<[expiryMs: number, elements: ReadonlySet<E>]> {
    return [...this.elementsByExpiry.entries()].sort((a, b) => a[0] - b[0])
  }

  get bucketCount(): number {
    return this.elementsByExpiry.size
  }

  get size(): number {
    return this.expiryByElement.size
  }
}

const EMPTY: ReadonlySet<never> = new Set()
