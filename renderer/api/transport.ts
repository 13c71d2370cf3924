import type { CallRequest, CallOutcome, EventMessage } from '../../main/contract/wire'

/** How the api client reaches main: Electron IPC (preload) or a WebSocket (browser mode, tests). */
export interface Transport {
  call(request: CallRequest): Promise<CallOutcome>
  /** Every event main publishes; returns the function that stops listening. */
  onEvent(listener: (message: EventMessage) => void): () => void
  close(): void
}

/** What the preload exposes on `window.zoodesk` (see main/preload/index.ts). */
export interface PreloadApi {
  call(request: CallRequest): Promise<CallOutcome>
  onEvent(listener: (message: EventMessage) => void): () => void
}
