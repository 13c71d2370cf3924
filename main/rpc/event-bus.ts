import type { EventName, EventPayload } from '../contract/contract'
import type { EventMessage } from '../contract/wire'

export type EventSink = (message: EventMessage) => void

/** Where services publish contract events; each binding (IPC, every WebSocket) is one sink. */
export class EventBus {
  private readonly sinks = new Set<EventSink>()

  emit<E extends EventName>(stream: E, payload: EventPayload<E>): void {
    if (this.sinks.size === 0) return
    const message: EventMessage = { stream, payload }
    for (const sink of this.sinks) {
      try {
        sink(message)
      } catch {
        // A broken sink (a closing socket) must not stop the others.
      }
    }
  }

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink)
    return () => this.sinks.delete(sink)
  }
}
