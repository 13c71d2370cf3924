import type { CallOutcome, CallRequest, EventMessage, ServerMessage } from '../../main/contract/wire'
import type { Transport } from './transport'

/** A handler property both the DOM's and the `ws` package's sockets can be assigned to (bivariant parameter). */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack']

/** The parts of a WebSocket we use: the browser's, or the `ws` package's in Node tests. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: Handler<unknown> | null
  onmessage: Handler<{ data: unknown }> | null
  onclose: Handler<{ code: number; reason: string }> | null
  onerror: Handler<unknown> | null
}

const OPEN = 1

function lost(reason: string): CallOutcome {
  return { ok: false, error: { code: 'INTERNAL', message: `the connection to ZooDesk was lost (${reason})`, details: {} } }
}

/**
 * Browser mode's transport: one WebSocket to `ws://127.0.0.1:<port>/<token>/rpc`. Calls made before the socket
 * opens wait for it; if it closes, calls in flight resolve with an INTERNAL error saying so.
 */
export function createWebSocketTransport(socket: WebSocketLike): Transport {
  let nextId = 1
  const pending = new Map<number, (outcome: CallOutcome) => void>()
  const listeners = new Set<(message: EventMessage) => void>()
  let closedReason: string | null = null
  /** Settles when the socket opens or closes, whichever comes first. */
  let settleReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    settleReady = resolve
    if (socket.readyState === OPEN) resolve()
  })
  socket.onopen = () => settleReady()

  socket.onmessage = (event) => {
    const text = typeof event.data === 'string' ? event.data : String(event.data)
    const message = JSON.parse(text) as ServerMessage
    if (message.t === 'result') {
      const settle = pending.get(message.id)
      pending.delete(message.id)
      settle?.(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error })
    } else if (message.t === 'event') {
      for (const listener of listeners) listener({ stream: message.stream, payload: message.payload })
    }
  }
  socket.onclose = (event) => {
    closedReason = `closed with ${event.code}${event.reason === '' ? '' : `: ${event.reason}`}`
    for (const settle of pending.values()) settle(lost(closedReason))
    pending.clear()
    settleReady()
  }
  socket.onerror = () => {}

  return {
    async call(request: CallRequest): Promise<CallOutcome> {
      await ready
      if (closedReason !== null || socket.readyState !== OPEN) return lost(closedReason ?? 'not open')
      const id = nextId++
      return new Promise<CallOutcome>((resolve) => {
        pending.set(id, resolve)
        socket.send(JSON.stringify({ t: 'call', id, method: request.method, args: request.args }))
      })
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      socket.close(1000, 'client closed')
    },
  }
}
