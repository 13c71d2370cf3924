import { Fifo } from './fifo'
import type { Watcher, WatchedEvent } from './types'

export class EventStreamOverflowError extends Error {
  override name = 'EventStreamOverflowError'
}

/**
 * A watcher you can iterate: pass `stream.watcher` to getData/exists/getChildren/addWatch, then
 * `for await (const event of stream)`. Events are buffered up to `maxBuffered`; a consumer that falls further
 * behind gets EventStreamOverflowError rather than silently losing events.
 */
export class EventStream implements AsyncIterable<WatchedEvent> {
  private readonly buffered = new Fifo<WatchedEvent>()
  private waiting: { resolve: (r: IteratorResult<WatchedEvent>) => void; reject: (e: unknown) => void } | undefined
  private ended = false
  private failure: Error | undefined

  constructor(private readonly maxBuffered = 10_000) {}

  readonly watcher: Watcher = (event) => this.push(event)

  private push(event: WatchedEvent): void {
    if (this.ended) return
    const waiting = this.waiting
    if (waiting !== undefined) {
      this.waiting = undefined
      waiting.resolve({ value: event, done: false })
      return
    }
    if (this.buffered.length >= this.maxBuffered) {
      this.failure = new EventStreamOverflowError(`more than ${this.maxBuffered} events not consumed`)
      this.ended = true
      this.buffered.drain()
      return
    }
    this.buffered.push(event)
  }

  /** The next event (or undefined once the stream has ended). */
  async next(): Promise<WatchedEvent | undefined> {
    const result = await this.pull()
    return result.done === true ? undefined : result.value
  }

  /** Ends the stream: a waiting consumer finishes, later events are ignored. */
  close(): void {
    this.ended = true
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.resolve({ value: undefined, done: true })
  }

  private pull(): Promise<IteratorResult<WatchedEvent>> {
    const event = this.buffered.shift()
    if (event !== undefined) return Promise.resolve({ value: event, done: false })
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.ended) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchedEvent> {
    return {
      next: () => this.pull(),
      return: () => {
        this.close()
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }
}
